-- The account's catalogue in id order (BINARY collation: plain string order, stable for the import's cursors). Positional: account_id.
SELECT account_id AS accountId, id, name, language, status, category, raw
FROM templates
WHERE account_id = ?
ORDER BY id
