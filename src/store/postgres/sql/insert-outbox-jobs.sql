-- Jobs a change created, in its commit, for the relay to move into an external queue
-- (store/job-outbox.ts). Arrays of (queue, partition_key, ref, run_at), then created_at.
INSERT INTO job_outbox (queue, partition_key, ref, run_at, created_at)
SELECT queue, partition_key, ref, run_at, $5
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) WITH ORDINALITY AS job(queue, partition_key, ref, run_at, n)
 ORDER BY n
