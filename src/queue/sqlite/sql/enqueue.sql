-- Add one job, ready at run_at. Positional (queue, partition_key, ref, run_at, created_at):
-- it runs once per accepted message.
INSERT INTO jobs (queue, partition_key, ref, run_at, created_at) VALUES (?, ?, ?, ?, ?)
