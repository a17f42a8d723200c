-- A user sent a start keyword. Positional: account_id, recipient.
DELETE FROM opt_outs WHERE account_id = ? AND recipient = ?
