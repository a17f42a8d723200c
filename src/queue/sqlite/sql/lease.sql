-- Lease the selected jobs: hidden until lease_until, one more attempt counted.
UPDATE jobs SET leased = 1, attempts = attempts + 1, run_at = @leaseUntil
 WHERE id IN (SELECT value FROM json_each(@ids))
