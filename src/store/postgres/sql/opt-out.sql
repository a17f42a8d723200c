-- A user sent a stop keyword: (account_id, recipient, keyword, opted_out_at).
INSERT INTO opt_outs (account_id, recipient, keyword, opted_out_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (account_id, recipient) DO UPDATE SET keyword = excluded.keyword, opted_out_at = excluded.opted_out_at
