-- Just what applying a status needs (no content to decode): by the gateway's id.
SELECT id, account_id AS accountId, wamid, state FROM messages WHERE id = ?
