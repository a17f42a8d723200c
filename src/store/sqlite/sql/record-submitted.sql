-- Meta accepted the send: keep the wamid, and move from accepted to submitted (never backwards).
-- Positional (wamid, at, at, id): it runs once per message sent.
UPDATE messages
   SET wamid = COALESCE(wamid, ?),
       state = CASE WHEN state = 'accepted' THEN 'submitted' ELSE state END,
       submitted_at = COALESCE(submitted_at, ?),
       updated_at = ?
 WHERE id = ?
