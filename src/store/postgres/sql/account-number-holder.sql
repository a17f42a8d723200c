-- The live account other than $2 serving the WABA number $1, if any (on the partial unique index).
SELECT id FROM accounts WHERE waba_number = $1 AND deleted_at IS NULL AND id <> $2
