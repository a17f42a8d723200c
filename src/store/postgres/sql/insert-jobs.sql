-- Jobs a change created, in its commit, straight into the embedded queue's table. One statement
-- for all of a commit's jobs: arrays of (queue, partition_key, ref, run_at), then created_at.
-- Ids are assigned in array order, which is the order the jobs were given.
INSERT INTO jobs (queue, partition_key, ref, run_at, created_at)
SELECT queue, partition_key, ref, run_at, $5
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) WITH ORDINALITY AS job(queue, partition_key, ref, run_at, n)
 ORDER BY n
