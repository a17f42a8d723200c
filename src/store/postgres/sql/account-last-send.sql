-- The newest send Meta accepted for an account (messages_submitted_by_account: one index seek).
SELECT max(submitted_at) AS last_at FROM messages WHERE account_id = $1 AND submitted_at IS NOT NULL
