-- Keep a job that will not succeed, with the reason, for inspection and replay.
INSERT INTO dead_jobs (id, queue, partition_key, ref, attempts, reason, created_at, dead_at)
SELECT id, queue, partition_key, ref, attempts, @reason, created_at, @now FROM jobs WHERE id = @id
