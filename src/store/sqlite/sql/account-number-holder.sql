-- The live account other than @id serving @wabaNumber, if any (the partial unique index answers it).
SELECT id FROM accounts WHERE waba_number = @wabaNumber AND deleted_at IS NULL AND id <> @id
