-- Relayed jobs, now in the queue. Positional (JSON array of ids).
DELETE FROM job_outbox WHERE id IN (SELECT value FROM json_each(?))
