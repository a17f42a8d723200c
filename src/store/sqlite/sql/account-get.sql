-- One account, live or deleted. Positional: id.
SELECT id, waba_number AS wabaNumber, document, version, created_at AS createdAt, updated_at AS updatedAt, deleted_at AS deletedAt
FROM accounts
WHERE id = ?
