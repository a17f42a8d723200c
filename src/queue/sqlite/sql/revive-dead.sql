-- Put a dead-lettered job back in its queue, due now, as a fresh job (attempts start over).
INSERT INTO jobs (queue, partition_key, ref, run_at, created_at)
SELECT queue, partition_key, ref, @now, @now FROM dead_jobs WHERE id = @id
