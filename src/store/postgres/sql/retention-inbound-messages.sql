-- Deduplication records of inbound messages received before the cutoff: (olderThan, limit).
DELETE FROM inbound_messages WHERE wamid IN (
  SELECT wamid FROM inbound_messages WHERE received_at < $1 ORDER BY received_at LIMIT $2
)
