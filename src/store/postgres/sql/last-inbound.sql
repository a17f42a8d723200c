-- When a user last wrote to an account (their 24-hour customer service window starts there).
SELECT max(received_at) AS last_at FROM inbound_messages WHERE account_id = $1 AND sender = $2
