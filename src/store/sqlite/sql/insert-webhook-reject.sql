-- One webhook item that could not be understood: received_at, account_id, kind, location, reason, item.
INSERT INTO rejected_webhook_items (received_at, account_id, kind, location, reason, item) VALUES (?, ?, ?, ?, ?, ?)
