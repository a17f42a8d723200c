-- Lease one selected job: hidden until lease_until, one more attempt counted.
-- Positional (lease_until, id); run once per job, which for the few jobs a reservation takes is
-- cheaper than one statement over a JSON list of ids.
UPDATE jobs SET leased = 1, attempts = attempts + 1, run_at = ? WHERE id = ?
