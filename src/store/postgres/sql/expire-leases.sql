-- Make leased jobs due again, at their original due order (created_at), so they go out before
-- work that arrived while they were leased; they stay marked leased so their next reservation
-- reports it. Only for a store one process owns: with replicas, a lease may be another's. (now)
UPDATE jobs SET run_at = LEAST(created_at, $1) WHERE leased = 1
