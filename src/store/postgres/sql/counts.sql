-- Jobs per queue and partition: due now, scheduled later (not leased), leased. (now)
SELECT queue, partition_key AS "partitionKey",
       count(*) FILTER (WHERE run_at <= $1)::integer AS ready,
       count(*) FILTER (WHERE run_at > $1 AND leased = 0)::integer AS scheduled,
       count(*) FILTER (WHERE run_at > $1 AND leased = 1)::integer AS leased
  FROM jobs GROUP BY queue, partition_key
