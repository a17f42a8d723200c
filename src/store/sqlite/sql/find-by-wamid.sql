-- One message by Meta's id for it.
SELECT * FROM messages WHERE wamid = ?
