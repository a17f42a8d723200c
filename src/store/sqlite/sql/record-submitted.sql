-- Meta accepted the send: keep the wamid and how long Meta took to answer, and move from accepted
-- to submitted (never backwards). Positional (wamid, at, latency_ms, at, id): it runs once per message sent.
UPDATE messages
   SET wamid = COALESCE(wamid, ?),
       state = CASE WHEN state = 'accepted' THEN 'submitted' ELSE state END,
       submitted_at = COALESCE(submitted_at, ?),
       submit_latency_ms = COALESCE(submit_latency_ms, ?),
       updated_at = ?
 WHERE id = ?
