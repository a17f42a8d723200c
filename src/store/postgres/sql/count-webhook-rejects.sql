-- How many rejected webhook items are kept (at most the cap, so counting them is cheap).
SELECT count(*)::integer AS count FROM rejected_webhook_items
