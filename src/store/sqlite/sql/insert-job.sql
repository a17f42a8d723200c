-- A job a change created, in the job outbox of its commit (embedded mode: the queue's own table).
-- Positional (queue, partition_key, ref, run_at, created_at): it runs once per accepted message
-- and once per callback owed.
INSERT INTO jobs (queue, partition_key, ref, run_at, created_at) VALUES (?, ?, ?, ?, ?)
