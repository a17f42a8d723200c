-- The last delivery attempt of these callbacks failed; keep why: (error, ids, http_status,
-- latency_ms, at). With `at`, the attempt is also an event of each message a delivery report
-- among them is about, in the same statement.
WITH marked AS (
  UPDATE callbacks SET last_error = $1, http_status = $3::integer, latency_ms = $4::integer
   WHERE id = ANY($2::bigint[])
  RETURNING id, kind, url, message_ref
)
INSERT INTO message_events (message_id, at, kind, http_status, title, latency_ms, url)
SELECT message_ref, $5::bigint, 'callback', $3::integer, left($1, 500), $4::integer, url
  FROM marked
 WHERE $5::bigint IS NOT NULL AND kind = 'dlr' AND message_ref IS NOT NULL
 ORDER BY id
