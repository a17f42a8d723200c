-- A message's events, in the order they were written: (message_id).
SELECT message_id, at, kind, state, http_status, code, title, latency_ms, url FROM message_events WHERE message_id = $1 ORDER BY id
