-- The funnel and the rates over [from, to) in one pass over the messages: per (bucket accepted
-- in, bucket Meta accepted the send in) the messages and how far they got, each at the furthest
-- (read counts as delivered and sent). A bucket is -1 outside the range. Send time has no
-- index: the messages read are those accepted from `lookbackFrom`, so a backlog sent a little late is seen.
-- Prepared once per driving filter as search-messages.sql is: INDEX is replaced by the index
-- that serves it (campaign, account, or time) and DRIVER by its condition.
SELECT CASE WHEN accepted_at >= @from THEN CAST((accepted_at - @from) / @bucketMs AS INTEGER) ELSE -1 END AS accepted_bucket,
       CASE WHEN submitted_at >= @from AND submitted_at < @to THEN CAST((submitted_at - @from) / @bucketMs AS INTEGER) ELSE -1 END AS sent_bucket,
       COUNT(*) AS count,
       SUM(sent_at IS NOT NULL OR delivered_at IS NOT NULL OR read_at IS NOT NULL) AS sent,
       SUM(delivered_at IS NOT NULL OR read_at IS NOT NULL) AS delivered,
       SUM(read_at IS NOT NULL) AS read,
       SUM(failed_at IS NOT NULL) AS failed
  FROM messages INDEXED BY /*INDEX*/
 WHERE /*DRIVER*/
       (@accountId IS NULL OR account_id = @accountId)
   AND (@campaign IS NULL OR campaign = @campaign)
   AND accepted_at >= @lookbackFrom AND accepted_at < @to
 GROUP BY accepted_bucket, sent_bucket
