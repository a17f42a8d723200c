-- Lease the oldest due jobs of a partition: (queue, partition_key, now, limit, lease_until).
-- Due means never leased, rescheduled, or whose lease ran out (a lease is a run_at in the
-- future). SKIP LOCKED: jobs another replica is reserving right now are left to it, so several
-- replicas share one partition without waiting for each other. Returns each job as leased, with
-- whether it was leased before (its last attempt never settled) and its due time (RETURNING
-- keeps no order: the caller sorts by due time, then id).
WITH due AS (
  SELECT id, run_at, leased FROM jobs
   WHERE queue = $1 AND partition_key = $2 AND run_at <= $3
   ORDER BY run_at, id
   LIMIT $4
   FOR UPDATE SKIP LOCKED
)
UPDATE jobs j
   SET leased = 1, attempts = j.attempts + 1, run_at = $5
  FROM due
 WHERE j.id = due.id
RETURNING j.id, j.queue, j.partition_key, j.ref, j.attempts, due.leased AS was_leased, j.uncertain_since, j.last_error, j.created_at, due.run_at AS due_at
