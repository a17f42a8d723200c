-- The newest status time among an account's latest sends (messages_submitted_by_account, newest
-- first); GREATEST skips absent times. ($1 accountId, $2 limit).
SELECT max(GREATEST(sent_at, delivered_at, read_at, failed_at)) AS last_at
  FROM (SELECT sent_at, delivered_at, read_at, failed_at FROM messages
         WHERE account_id = $1 AND submitted_at IS NOT NULL
         ORDER BY submitted_at DESC LIMIT $2) AS recent
