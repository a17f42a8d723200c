-- One account, live or deleted: (id).
SELECT id, waba_number, document::text AS document, version, created_at, updated_at, deleted_at FROM accounts WHERE id = $1
