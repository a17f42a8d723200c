-- Jobs per queue and partition: due now, scheduled later (not leased), leased; and when the
-- oldest due job was enqueued (NULL when none is due). (now)
SELECT queue, partition_key AS "partitionKey",
       count(*) FILTER (WHERE run_at <= $1)::integer AS ready,
       count(*) FILTER (WHERE run_at > $1 AND leased = 0)::integer AS scheduled,
       count(*) FILTER (WHERE run_at > $1 AND leased = 1)::integer AS leased,
       min(created_at) FILTER (WHERE run_at <= $1) AS "oldestReadyAt"
  FROM jobs GROUP BY queue, partition_key
