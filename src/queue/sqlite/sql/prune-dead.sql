-- Dead-lettered jobs nobody replayed before the cutoff. Positional: (olderThan, limit).
DELETE FROM dead_jobs WHERE id IN (
  SELECT id FROM dead_jobs WHERE dead_at < ? ORDER BY id LIMIT ?
)
