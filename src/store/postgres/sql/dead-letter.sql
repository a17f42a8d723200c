-- Keep a job that will not succeed, with the reason, for inspection and replay: (id, reason, now).
WITH gone AS (
  DELETE FROM jobs WHERE id = $1 RETURNING id, queue, partition_key, ref, attempts, created_at
)
INSERT INTO dead_jobs (id, queue, partition_key, ref, attempts, reason, created_at, dead_at)
SELECT id, queue, partition_key, ref, attempts, $2, created_at, $3 FROM gone
