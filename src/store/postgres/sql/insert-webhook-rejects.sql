-- Webhook items that could not be understood, one statement for a delivery's items, in order:
-- arrays of (received_at, account_id, kind, location, reason, item).
INSERT INTO rejected_webhook_items (received_at, account_id, kind, location, reason, item)
SELECT received_at, account_id, kind, location, reason, item
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS r(received_at, account_id, kind, location, reason, item, n)
 ORDER BY n
