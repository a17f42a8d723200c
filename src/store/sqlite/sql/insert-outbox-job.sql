-- A job a change created, for the relay to move into an external queue (store/job-outbox.ts).
-- Positional (queue, partition_key, ref, run_at, created_at).
INSERT INTO job_outbox (queue, partition_key, ref, run_at, created_at) VALUES (?, ?, ?, ?, ?)
