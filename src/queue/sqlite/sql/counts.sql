-- Jobs per queue and partition: due now, scheduled later (including leased), leased; and when
-- the oldest due job was enqueued (NULL when none is due).
SELECT queue, partition_key AS partitionKey,
       SUM(CASE WHEN run_at <= @now THEN 1 ELSE 0 END) AS ready,
       SUM(CASE WHEN run_at > @now AND leased = 0 THEN 1 ELSE 0 END) AS scheduled,
       SUM(CASE WHEN run_at > @now AND leased = 1 THEN 1 ELSE 0 END) AS leased,
       MIN(CASE WHEN run_at <= @now THEN created_at END) AS oldestReadyAt
  FROM jobs GROUP BY queue, partition_key
