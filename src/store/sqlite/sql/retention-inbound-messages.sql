-- Deduplication records of inbound messages received before the cutoff. Positional: (olderThan, limit).
-- Rows are inserted as messages arrive, so the old ones come first in rowid order and the scan
-- ends at the first young row.
DELETE FROM inbound_messages WHERE rowid IN (
  SELECT rowid FROM inbound_messages
  WHERE rowid < coalesce((SELECT rowid FROM inbound_messages WHERE received_at >= ? ORDER BY rowid LIMIT 1), 9223372036854775807)
  ORDER BY rowid
  LIMIT ?
)
