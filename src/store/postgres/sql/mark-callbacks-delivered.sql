-- CleverTap answered 2xx for these callbacks: (at, ids, http_status, latency_ms).
UPDATE callbacks SET delivered_at = $1, http_status = $3::integer, latency_ms = $4::integer, last_error = NULL WHERE id = ANY($2::bigint[])
