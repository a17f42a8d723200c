-- A live account's new number and document, one version on; nothing when $1 is not live:
-- (id, waba_number, document, at).
UPDATE accounts
   SET waba_number = $2,
       document = $3::json,
       version = version + 1,
       updated_at = $4,
       revision = (SELECT COALESCE(max(revision), 0) + 1 FROM accounts)
 WHERE id = $1 AND deleted_at IS NULL
RETURNING id, waba_number, document::text AS document, version, created_at, updated_at, deleted_at
