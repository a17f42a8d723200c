-- Just what applying a status needs (no content to decode): by Meta's id.
SELECT id, account_id AS accountId, msg_id AS msgId, wamid, state, callbacks FROM messages WHERE wamid = ?
