-- Store a callback owed to CleverTap. Positional: account_id, kind, url, msg_id, payload, created_at, message_ref.
INSERT INTO callbacks (account_id, kind, url, msg_id, payload, created_at, message_ref) VALUES (?, ?, ?, ?, ?, ?, ?)
