-- Messages in a final state, untouched since the cutoff. Positional: (olderThan, olderThan, limit).
-- Returns their ids, so their events go with them in the same transaction.
-- Rowids follow acceptance order and a message changes only after it was accepted, so no row at
-- or past the first one accepted since the cutoff can qualify: the scan stops there instead of
-- reading the whole table when little is old (the bound itself is found from the oldest end).
DELETE FROM messages WHERE rowid IN (
  SELECT rowid FROM messages
  WHERE rowid < coalesce((SELECT rowid FROM messages WHERE accepted_at >= ? ORDER BY rowid LIMIT 1), 9223372036854775807)
    AND updated_at < ? AND state IN ('sent', 'delivered', 'read', 'failed')
  ORDER BY rowid
  LIMIT ?
)
RETURNING id
