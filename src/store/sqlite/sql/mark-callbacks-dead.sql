-- These callbacks were given up on (dead-lettered); retention forgets them by this time.
UPDATE callbacks SET dead_at = ? WHERE id IN (SELECT value FROM json_each(?))
