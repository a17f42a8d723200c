-- Move a message forward in its lifecycle; the caller has checked the rank. The WHERE clause
-- re-checks it against the row so that two racing updates cannot move a message backwards.
UPDATE messages
   SET state = @state,
       wamid = COALESCE(wamid, @wamid),
       failure = COALESCE(@failure, failure),
       submitted_at = CASE WHEN @state = 'submitted' THEN COALESCE(submitted_at, @at) ELSE submitted_at END,
       sent_at = CASE WHEN @state = 'sent' THEN COALESCE(sent_at, @at) ELSE sent_at END,
       delivered_at = CASE WHEN @state = 'delivered' THEN COALESCE(delivered_at, @at) ELSE delivered_at END,
       read_at = CASE WHEN @state = 'read' THEN COALESCE(read_at, @at) ELSE read_at END,
       failed_at = CASE WHEN @state = 'failed' THEN COALESCE(failed_at, @at) ELSE failed_at END,
       updated_at = @at
 WHERE id = @id
   AND state NOT IN ('read', 'failed')
   AND (CASE state WHEN 'accepted' THEN 0 WHEN 'submitted' THEN 1 WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3 ELSE 9 END)
     < (CASE @state WHEN 'accepted' THEN 0 WHEN 'submitted' THEN 1 WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 WHEN 'failed' THEN 5 ELSE -1 END)
