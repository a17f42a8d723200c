-- A status webhook: the column and Meta's JSON (edited by the caller, so key order and every
-- other value stay as stored) move together: (account_id, id, status, raw).
UPDATE templates SET status = $3, raw = $4 WHERE account_id = $1 AND id = $2
