-- Every opt-out, loaded into memory at startup.
SELECT account_id AS "accountId", recipient, keyword, opted_out_at AS "optedOutAt" FROM opt_outs
