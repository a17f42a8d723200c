-- The newest rejected webhook items, newest first: (limit).
SELECT id, received_at, account_id, kind, location, reason, item FROM rejected_webhook_items ORDER BY id DESC LIMIT $1
