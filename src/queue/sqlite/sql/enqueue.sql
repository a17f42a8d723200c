-- Add one job, ready at run_at.
INSERT INTO jobs (queue, partition_key, ref, run_at, created_at) VALUES (@queue, @partitionKey, @ref, @runAt, @now)
