-- The newest status time among an account's latest sends (messages_submitted_by_account, newest
-- first). MAX() of several values is NULL if one is: absent times count as 0. Positional: (accountId, limit).
SELECT MAX(MAX(COALESCE(sent_at, 0), COALESCE(delivered_at, 0), COALESCE(read_at, 0), COALESCE(failed_at, 0))) AS lastAt
  FROM (SELECT sent_at, delivered_at, read_at, failed_at FROM messages
         WHERE account_id = ? AND submitted_at IS NOT NULL
         ORDER BY submitted_at DESC LIMIT ?)
