-- The funnel and the rates over [from, to) in one pass over the messages: per (bucket accepted
-- in, bucket Meta accepted the send in) the messages and how far they got, each at the furthest
-- (read counts as delivered and sent). A bucket is -1 outside the range. Send time has no
-- index: the messages read are those accepted from `lookbackFrom`, so a backlog sent a little late is seen.
-- DRIVER is replaced by the most selective condition asked (campaign, account, or none), whose
-- index of migration 011 the planner then walks. (accountId, campaign, from, to, bucketMs, lookbackFrom).
SELECT CASE WHEN accepted_at >= $3::bigint THEN (accepted_at - $3::bigint) / $5::bigint ELSE -1 END AS accepted_bucket,
       CASE WHEN submitted_at >= $3::bigint AND submitted_at < $4::bigint THEN (submitted_at - $3::bigint) / $5::bigint ELSE -1 END AS sent_bucket,
       COUNT(*) AS count,
       COUNT(*) FILTER (WHERE sent_at IS NOT NULL OR delivered_at IS NOT NULL OR read_at IS NOT NULL) AS sent,
       COUNT(*) FILTER (WHERE delivered_at IS NOT NULL OR read_at IS NOT NULL) AS delivered,
       COUNT(*) FILTER (WHERE read_at IS NOT NULL) AS read,
       COUNT(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
  FROM messages
 WHERE /*DRIVER*/
       ($1::text IS NULL OR account_id = $1::text)
   AND ($2::text IS NULL OR campaign = $2::text)
   AND accepted_at >= $6::bigint AND accepted_at < $4::bigint
 GROUP BY 1, 2
