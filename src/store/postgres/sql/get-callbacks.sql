-- Callbacks by id, in id order (the order they were owed): (ids).
SELECT id, account_id, kind, url, msg_id, payload, created_at, delivered_at FROM callbacks WHERE id = ANY($1::bigint[]) ORDER BY id
