-- The callbacks about a message (our id) or an inbound message (its wamid), oldest first.
SELECT id, kind, url, payload, created_at, delivered_at, http_status, latency_ms, last_error, dead_at
  FROM callbacks WHERE message_ref = ? ORDER BY id
