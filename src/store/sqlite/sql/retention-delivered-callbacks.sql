-- Callbacks CleverTap accepted before the cutoff. Positional: (olderThan, limit).
DELETE FROM callbacks WHERE id IN (
  SELECT id FROM callbacks WHERE delivered_at IS NOT NULL AND delivered_at < ? LIMIT ?
)
