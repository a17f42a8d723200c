-- A new account, or a deleted one with this id revived (version 1, created now); a live one is
-- left as it is and returns nothing. `revision` moves past every other account's.
INSERT INTO accounts (id, waba_number, document, version, created_at, updated_at, deleted_at, revision)
VALUES (@id, @wabaNumber, @document, 1, @at, @at, NULL, (SELECT COALESCE(MAX(revision), 0) + 1 FROM accounts))
ON CONFLICT (id) DO UPDATE SET
  waba_number = excluded.waba_number,
  document = excluded.document,
  version = 1,
  created_at = excluded.created_at,
  updated_at = excluded.updated_at,
  deleted_at = NULL,
  revision = excluded.revision
WHERE accounts.deleted_at IS NOT NULL
RETURNING id, waba_number AS wabaNumber, document, version, created_at AS createdAt, updated_at AS updatedAt, deleted_at AS deletedAt
