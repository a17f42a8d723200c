-- Deduplication records of inbound messages received before the cutoff. Positional: (olderThan, limit).
DELETE FROM inbound_messages WHERE rowid IN (
  SELECT rowid FROM inbound_messages WHERE received_at < ? LIMIT ?
)
