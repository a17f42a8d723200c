-- Relayed jobs, now in the queue: (ids).
DELETE FROM job_outbox WHERE id = ANY($1::bigint[])
