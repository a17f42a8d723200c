-- Remember an inbound message; a repeated wamid (Meta redelivering) inserts nothing:
-- (wamid, account_id, sender, context_msg_id, received_at).
INSERT INTO inbound_messages (wamid, account_id, sender, context_msg_id, received_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (wamid) DO NOTHING
