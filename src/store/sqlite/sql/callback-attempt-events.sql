-- A failed attempt to deliver these callbacks, as an event of each message a delivery report is
-- about: (at, http_status, title, latency_ms, ids as a JSON array).
INSERT INTO message_events (message_id, at, kind, http_status, title, latency_ms, url)
SELECT message_ref, ?, 'callback', ?, ?, ?, url
  FROM callbacks
 WHERE id IN (SELECT value FROM json_each(?)) AND kind = 'dlr' AND message_ref IS NOT NULL
 ORDER BY id
