-- Messages in a final state, untouched since the cutoff: (olderThan, limit). Read from the
-- partial index of final messages by update time (Postgres has no rowid to bound the scan by).
DELETE FROM messages WHERE id IN (
  SELECT id FROM messages
   WHERE updated_at < $1 AND state IN ('sent', 'delivered', 'read', 'failed')
   ORDER BY updated_at
   LIMIT $2
)
