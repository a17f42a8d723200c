-- The last delivery attempt of these callbacks failed; keep why.
UPDATE callbacks SET last_error = ? WHERE id IN (SELECT value FROM json_each(?))
