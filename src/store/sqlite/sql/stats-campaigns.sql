-- The campaigns with messages accepted in [from, to), most recently active first, each with its
-- funnel. INDEX and DRIVER as in stats-funnel.sql (account, or time).
SELECT campaign, account_id,
       MIN(accepted_at) AS first_at,
       MAX(accepted_at) AS last_at,
       COUNT(*) AS accepted,
       SUM(sent_at IS NOT NULL OR delivered_at IS NOT NULL OR read_at IS NOT NULL) AS sent,
       SUM(delivered_at IS NOT NULL OR read_at IS NOT NULL) AS delivered,
       SUM(read_at IS NOT NULL) AS read,
       SUM(failed_at IS NOT NULL) AS failed
  FROM messages INDEXED BY /*INDEX*/
 WHERE /*DRIVER*/
       campaign IS NOT NULL
   AND (@accountId IS NULL OR account_id = @accountId)
   AND accepted_at >= @from AND accepted_at < @to
 GROUP BY campaign, account_id
 ORDER BY last_at DESC, campaign
 LIMIT @limit
