-- CleverTap answered 2xx for these callbacks: (at, http_status, latency_ms, ids as a JSON array).
UPDATE callbacks SET delivered_at = ?, http_status = ?, latency_ms = ?, last_error = NULL WHERE id IN (SELECT value FROM json_each(?))
