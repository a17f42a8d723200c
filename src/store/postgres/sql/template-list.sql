-- The account's catalogue in id order, compared as plain strings (COLLATE "C": byte order
-- whatever the database's locale, stable for the import's cursors): (account_id).
SELECT account_id AS "accountId", id, name, language, status, category, raw
  FROM templates
 WHERE account_id = $1
 ORDER BY id COLLATE "C"
