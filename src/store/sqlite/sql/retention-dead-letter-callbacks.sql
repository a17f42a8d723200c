-- The callbacks carried by the dead letters retention-dead-letters.sql is about to remove (same
-- window: oldest first, same cutoff and limit). Positional: (olderThan, limit, queue).
DELETE FROM callbacks WHERE id IN (
  SELECT CAST(ref AS INTEGER) FROM (
    SELECT queue, ref FROM dead_jobs WHERE dead_at < ? ORDER BY id LIMIT ?
  ) WHERE queue = ?
)
