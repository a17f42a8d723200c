-- Callbacks CleverTap accepted before the cutoff: (olderThan, limit).
DELETE FROM callbacks WHERE id IN (
  SELECT id FROM callbacks WHERE delivered_at IS NOT NULL AND delivered_at < $1 ORDER BY delivered_at LIMIT $2
)
