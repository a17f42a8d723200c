-- The last delivery attempt of these callbacks failed; keep why: (error, ids).
UPDATE callbacks SET last_error = $1 WHERE id = ANY($2::bigint[])
