-- The message a status names by Meta's id, read raw inside the commit that applies it:
-- rowid, id, account_id, msg_id, state, wamid, callbacks.
SELECT rowid, id, account_id, msg_id, state, wamid, callbacks FROM messages WHERE wamid = ?
