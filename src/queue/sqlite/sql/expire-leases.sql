-- Make leased jobs due again, at their original due order (created_at), so they go out before
-- work that arrived while they were leased; they stay marked leased so their next reservation
-- reports it.
UPDATE jobs SET run_at = MIN(created_at, @now) WHERE leased = 1
