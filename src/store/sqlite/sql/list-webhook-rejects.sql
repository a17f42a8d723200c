-- The newest rejected webhook items, newest first.
SELECT id, received_at AS receivedAt, account_id AS accountId, kind, location AS "where", reason, item
  FROM rejected_webhook_items ORDER BY id DESC LIMIT ?
