-- One event of a message's timeline. Positional: message_id, at, kind, state, http_status, code, title, latency_ms, url.
INSERT INTO message_events (message_id, at, kind, state, http_status, code, title, latency_ms, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
