-- A live account marked deleted (the row stays for the work it still owes); nothing when $1 is
-- not live: (id, at).
UPDATE accounts
   SET deleted_at = $2,
       updated_at = $2,
       revision = (SELECT COALESCE(max(revision), 0) + 1 FROM accounts)
 WHERE id = $1 AND deleted_at IS NULL
RETURNING id, waba_number, document::text AS document, version, created_at, updated_at, deleted_at
