-- The earlier message a duplicate send request refers to.
SELECT id FROM messages WHERE account_id = ? AND msg_id = ? AND recipient = ?
