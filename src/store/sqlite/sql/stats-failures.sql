-- Failed messages of the cohort by Meta's code (or the gateway's reason), most frequent first,
-- walked over the partial index of failed messages.
SELECT json_extract(failure, '$.metaCode') AS meta_code,
       json_extract(failure, '$.reason') AS reason,
       MIN(json_extract(failure, '$.title')) AS title,
       COUNT(*) AS count
  FROM messages INDEXED BY messages_failed
 WHERE failed_at IS NOT NULL
   AND (@accountId IS NULL OR account_id = @accountId)
   AND (@campaign IS NULL OR campaign = @campaign)
   AND accepted_at >= @from AND accepted_at < @to
 GROUP BY meta_code, reason
 ORDER BY count DESC, meta_code
 LIMIT 50
