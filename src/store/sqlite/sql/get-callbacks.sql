-- Callbacks by id, in id order (the order they were owed).
SELECT id, account_id AS accountId, kind, url, msg_id AS msgId, payload, created_at AS createdAt, delivered_at AS deliveredAt
  FROM callbacks WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id
