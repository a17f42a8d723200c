-- A live account marked deleted (the row stays for the work it still owes); nothing when @id is not live.
UPDATE accounts
SET deleted_at = @at,
    updated_at = @at,
    revision = (SELECT COALESCE(MAX(revision), 0) + 1 FROM accounts)
WHERE id = @id AND deleted_at IS NULL
RETURNING id, waba_number AS wabaNumber, document, version, created_at AS createdAt, updated_at AS updatedAt, deleted_at AS deletedAt
