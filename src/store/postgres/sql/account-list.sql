-- Every stored account, deleted ones included, in id order compared as plain strings (COLLATE
-- "C": byte order whatever the database's locale, as SQLite orders them). The document comes as
-- the text that was saved, parsed by the adapter.
SELECT id, waba_number, document::text AS document, version, created_at, updated_at, deleted_at
  FROM accounts
 ORDER BY id COLLATE "C"
