-- The oldest jobs of a partition that are due (never leased, rescheduled, or whose lease ran out).
SELECT id, queue, partition_key, ref, attempts, leased, uncertain_since, last_error, created_at
  FROM jobs
 WHERE queue = @queue AND partition_key = @partitionKey AND run_at <= @now
 ORDER BY run_at, id
 LIMIT @limit
