-- The newest send Meta accepted for an account (messages_submitted_by_account: one index seek).
SELECT MAX(submitted_at) AS lastAt FROM messages WHERE account_id = ? AND submitted_at IS NOT NULL
