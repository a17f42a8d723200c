-- The oldest jobs of a partition that are due (never leased, rescheduled, or whose lease ran out).
-- Positional (queue, partition_key, now, limit), read as raw rows: it runs for nearly every send.
-- `LIMIT ? + 0`, not `LIMIT ?`: SQLite's planner reads a bare bound LIMIT to cost the ORDER BY,
-- and then recompiles the statement every time the parameter is bound again — on every
-- reservation, which cost more than the query itself. The sum hides it from the planner.
SELECT id, queue, partition_key, ref, attempts, leased, uncertain_since, last_error, created_at
  FROM jobs
 WHERE queue = ? AND partition_key = ? AND run_at <= ?
 ORDER BY run_at, id
 LIMIT ? + 0
