-- Forget a dead letter (after it was revived).
DELETE FROM dead_jobs WHERE id = @id
