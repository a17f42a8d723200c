-- The oldest jobs waiting for the relay: (limit).
SELECT id, queue, partition_key, ref, run_at, created_at FROM job_outbox ORDER BY id LIMIT $1
