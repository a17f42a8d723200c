-- Callbacks CleverTap accepted before the cutoff. Positional: (olderThan, olderThan, limit).
-- Ids follow creation order and delivery comes after creation: the scan stops at the first
-- callback created since the cutoff.
DELETE FROM callbacks WHERE id IN (
  SELECT id FROM callbacks
  WHERE id < coalesce((SELECT id FROM callbacks WHERE created_at >= ? ORDER BY id LIMIT 1), 9223372036854775807)
    AND delivered_at IS NOT NULL AND delivered_at < ?
  ORDER BY id
  LIMIT ?
)
