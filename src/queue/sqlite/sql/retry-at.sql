-- Reschedule after a settled attempt (the outcome is known, or known to be unknown).
UPDATE jobs SET run_at = @runAt, leased = 0, last_error = @error, uncertain_since = COALESCE(uncertain_since, @uncertainSince)
 WHERE id = @id AND attempts = @attempts
