-- Keeps the newest $1 rows: ids only grow, so everything at or below (newest id - cap) goes, by
-- a range of the primary key.
DELETE FROM rejected_webhook_items WHERE id <= (SELECT max(id) FROM rejected_webhook_items) - $1
