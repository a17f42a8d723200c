-- Meta accepted the send: keep the wamid and how long Meta took to answer, and move from accepted
-- to submitted (never backwards). (id, wamid, at, latency_ms).
UPDATE messages
   SET wamid = COALESCE(wamid, $2::text),
       state = CASE WHEN state = 'accepted' THEN 'submitted' ELSE state END,
       submitted_at = COALESCE(submitted_at, $3::bigint),
       submit_latency_ms = COALESCE(submit_latency_ms, $4::integer),
       updated_at = $3::bigint
 WHERE id = $1
