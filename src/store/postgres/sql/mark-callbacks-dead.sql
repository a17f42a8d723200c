-- These callbacks were given up on (dead-lettered); retention forgets them by this time: (at, ids).
UPDATE callbacks SET dead_at = $1 WHERE id = ANY($2::bigint[])
