-- A full sync starts from an empty catalogue: templates Meta no longer lists must go: (account_id).
DELETE FROM templates WHERE account_id = $1
