-- Put dead-lettered jobs back in their queue, due now, as fresh jobs (attempts start over), in
-- the order they were first enqueued: (ids, now). Returns how many were found.
WITH revived AS (
  DELETE FROM dead_jobs WHERE id = ANY($1::bigint[]) RETURNING id, queue, partition_key, ref
), requeued AS (
  INSERT INTO jobs (queue, partition_key, ref, run_at, created_at)
  SELECT queue, partition_key, ref, $2, $2 FROM revived ORDER BY revived.id
  RETURNING 1
)
SELECT count(*)::integer AS found FROM requeued
