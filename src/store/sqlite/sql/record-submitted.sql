-- Meta accepted the send: keep the wamid, and move from accepted to submitted (never backwards).
UPDATE messages
   SET wamid = COALESCE(wamid, @wamid),
       state = CASE WHEN state = 'accepted' THEN 'submitted' ELSE state END,
       submitted_at = COALESCE(submitted_at, @at),
       updated_at = @at
 WHERE id = @id
