-- CleverTap answered 2xx for these callbacks: (at, ids).
UPDATE callbacks SET delivered_at = $1, last_error = NULL WHERE id = ANY($2::bigint[])
