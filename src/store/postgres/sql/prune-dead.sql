-- Dead-lettered jobs nobody replayed before the cutoff: (olderThan, limit).
DELETE FROM dead_jobs WHERE id IN (
  SELECT id FROM dead_jobs WHERE dead_at < $1 ORDER BY id LIMIT $2
)
