-- Just what applying a status needs (no content to decode): by the gateway's id.
SELECT id, account_id, msg_id, wamid, state, callbacks FROM messages WHERE id = $1
