-- Messages in a final state, untouched since the cutoff. Positional: (olderThan, limit).
-- Rowids follow insertion order, so the oldest rows are found first without an index.
DELETE FROM messages WHERE rowid IN (
  SELECT rowid FROM messages
  WHERE updated_at < ? AND state IN ('sent', 'delivered', 'read', 'failed')
  LIMIT ?
)
