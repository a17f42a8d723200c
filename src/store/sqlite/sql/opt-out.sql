-- A user sent a stop keyword. Positional: account_id, recipient, keyword, opted_out_at.
INSERT INTO opt_outs (account_id, recipient, keyword, opted_out_at) VALUES (?, ?, ?, ?)
ON CONFLICT (account_id, recipient) DO UPDATE SET keyword = excluded.keyword, opted_out_at = excluded.opted_out_at
