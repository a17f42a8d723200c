-- Meta accepted the send: keep the wamid, and move from accepted to submitted (never backwards).
-- (id, wamid, at).
UPDATE messages
   SET wamid = COALESCE(wamid, $2::text),
       state = CASE WHEN state = 'accepted' THEN 'submitted' ELSE state END,
       submitted_at = COALESCE(submitted_at, $3::bigint),
       updated_at = $3::bigint
 WHERE id = $1
