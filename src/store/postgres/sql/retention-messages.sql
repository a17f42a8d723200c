-- Messages in a final state, untouched since the cutoff, with their events: (olderThan, limit). A
-- message changes only after it was accepted, so only messages accepted before the cutoff can
-- qualify: the scan walks the acceptance index from the oldest end and stops there (as SQLite's
-- rowid scan does). Counts the messages removed.
WITH gone AS (
  DELETE FROM messages WHERE id IN (
    SELECT id FROM messages
     WHERE accepted_at < $1 AND updated_at < $1 AND state IN ('sent', 'delivered', 'read', 'failed')
     ORDER BY accepted_at
     LIMIT $2
  )
  RETURNING id
), events AS (
  DELETE FROM message_events e USING gone WHERE e.message_id = gone.id
)
SELECT count(*)::integer AS removed FROM gone
