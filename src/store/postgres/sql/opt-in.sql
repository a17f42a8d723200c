-- A user sent a start keyword: (account_id, recipient).
DELETE FROM opt_outs WHERE account_id = $1 AND recipient = $2
