-- Just what applying a status needs (no content to decode): by Meta's id.
SELECT id, account_id, msg_id, wamid, state, callbacks FROM messages WHERE wamid = $1
