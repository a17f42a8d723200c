-- A short link for a click-tracked button. Positional: code, account_id, message_id, msg_id, url, created_at.
INSERT INTO click_links (code, account_id, message_id, msg_id, url, created_at) VALUES (?, ?, ?, ?, ?, ?)
