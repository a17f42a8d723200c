-- When a user last wrote to an account (their 24-hour customer service window starts there).
SELECT MAX(received_at) AS lastAt FROM inbound_messages WHERE account_id = ? AND sender = ?
