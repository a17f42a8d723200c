-- Just what applying a status needs (no content to decode): by Meta's id.
SELECT id, account_id AS accountId, wamid, state FROM messages WHERE wamid = ?
