-- Reschedule after a settled attempt (the outcome is known, or known to be unknown):
-- (id, attempts, run_at, error, uncertain_since).
UPDATE jobs SET run_at = $3, leased = 0, last_error = $4, uncertain_since = COALESCE(uncertain_since, $5)
 WHERE id = $1 AND attempts = $2
