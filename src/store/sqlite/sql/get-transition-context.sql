-- What a state change must report: the message's identity, its state before, its callback URLs.
SELECT id, account_id AS accountId, msg_id AS msgId, state, callbacks FROM messages WHERE id = ?
