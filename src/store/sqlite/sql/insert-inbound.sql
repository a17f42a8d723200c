-- Remember an inbound message; a repeated wamid (Meta redelivering) inserts nothing.
INSERT INTO inbound_messages (wamid, account_id, sender, context_msg_id, received_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (wamid) DO NOTHING
