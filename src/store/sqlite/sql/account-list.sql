-- Every stored account, deleted ones included, in id order (BINARY collation: plain string order).
SELECT id, waba_number AS wabaNumber, document, version, created_at AS createdAt, updated_at AS updatedAt, deleted_at AS deletedAt
FROM accounts
ORDER BY id
