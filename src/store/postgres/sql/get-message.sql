-- One message by the gateway's id.
SELECT * FROM messages WHERE id = $1
