-- The last delivery attempt of these callbacks failed; keep why: (error, http_status, latency_ms, ids as a JSON array).
UPDATE callbacks SET last_error = ?, http_status = ?, latency_ms = ? WHERE id IN (SELECT value FROM json_each(?))
