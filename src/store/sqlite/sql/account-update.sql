-- A live account's new document and number, one version on; returns nothing when @id is not live.
UPDATE accounts
SET waba_number = @wabaNumber,
    document = @document,
    version = version + 1,
    updated_at = @at,
    revision = (SELECT COALESCE(MAX(revision), 0) + 1 FROM accounts)
WHERE id = @id AND deleted_at IS NULL
RETURNING id, waba_number AS wabaNumber, document, version, created_at AS createdAt, updated_at AS updatedAt, deleted_at AS deletedAt
