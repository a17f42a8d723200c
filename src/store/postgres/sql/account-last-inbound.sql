-- The newest inbound message to an account (inbound_by_account: one index seek).
SELECT max(received_at) AS last_at FROM inbound_messages WHERE account_id = $1
