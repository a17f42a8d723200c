-- A full sync starts from an empty catalogue: templates Meta no longer lists must go. Positional: account_id.
DELETE FROM templates WHERE account_id = ?
