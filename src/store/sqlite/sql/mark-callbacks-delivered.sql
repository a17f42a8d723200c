-- CleverTap answered 2xx for these callbacks.
UPDATE callbacks SET delivered_at = ?, last_error = NULL WHERE id IN (SELECT value FROM json_each(?))
