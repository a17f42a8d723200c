-- Failed messages of the cohort by Meta's code (or the gateway's reason), most frequent first,
-- over the partial index of failed messages. (accountId, campaign, from, to).
SELECT (failure::jsonb ->> 'metaCode') AS meta_code,
       (failure::jsonb ->> 'reason') AS reason,
       MIN(failure::jsonb ->> 'title') AS title,
       COUNT(*) AS count
  FROM messages
 WHERE failed_at IS NOT NULL
   AND ($1::text IS NULL OR account_id = $1::text)
   AND ($2::text IS NULL OR campaign = $2::text)
   AND accepted_at >= $3::bigint AND accepted_at < $4::bigint
 GROUP BY 1, 2
 ORDER BY count DESC, meta_code
 LIMIT 50
