-- The newest inbound message to an account (inbound_by_account: one index seek).
SELECT MAX(received_at) AS lastAt FROM inbound_messages WHERE account_id = ?
