-- A template's JSON, locked until the status webhook that edits it commits: (account_id, id).
SELECT raw FROM templates WHERE account_id = $1 AND id = $2 FOR UPDATE
