-- Callbacks CleverTap accepted before the cutoff: (olderThan, limit). Delivery comes after
-- creation, so the scan walks the creation index and stops at the first callback created since.
DELETE FROM callbacks WHERE id IN (
  SELECT id FROM callbacks
   WHERE created_at < $1 AND delivered_at IS NOT NULL AND delivered_at < $1
   ORDER BY created_at
   LIMIT $2
)
