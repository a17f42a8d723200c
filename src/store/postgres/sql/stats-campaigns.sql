-- The campaigns with messages accepted in [from, to), most recently active first, each with its
-- funnel. DRIVER as in stats-funnel.sql (account, or none). (accountId, from, to, limit).
SELECT campaign, account_id,
       MIN(accepted_at) AS first_at,
       MAX(accepted_at) AS last_at,
       COUNT(*) AS accepted,
       COUNT(*) FILTER (WHERE sent_at IS NOT NULL OR delivered_at IS NOT NULL OR read_at IS NOT NULL) AS sent,
       COUNT(*) FILTER (WHERE delivered_at IS NOT NULL OR read_at IS NOT NULL) AS delivered,
       COUNT(*) FILTER (WHERE read_at IS NOT NULL) AS read,
       COUNT(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
  FROM messages
 WHERE /*DRIVER*/
       campaign IS NOT NULL
   AND ($1::text IS NULL OR account_id = $1::text)
   AND accepted_at >= $2::bigint AND accepted_at < $3::bigint
 GROUP BY campaign, account_id
 ORDER BY last_at DESC, campaign
 LIMIT $4
