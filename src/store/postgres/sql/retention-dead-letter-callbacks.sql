-- Callbacks given up on (dead-lettered) before the cutoff and never delivered since (a replayed
-- one that got through is a delivered callback): (olderThan, limit).
DELETE FROM callbacks WHERE id IN (
  SELECT id FROM callbacks WHERE dead_at < $1 AND delivered_at IS NULL ORDER BY dead_at LIMIT $2
)
