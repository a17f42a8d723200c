-- Remove a job by id (after it moved to dead_jobs).
DELETE FROM jobs WHERE id = @id
