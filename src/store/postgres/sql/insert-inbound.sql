-- Remember an inbound message; a repeated wamid (Meta redelivering) inserts nothing:
-- (wamid, account_id, sender, context_msg_id, received_at, kind, text, media_url).
INSERT INTO inbound_messages (wamid, account_id, sender, context_msg_id, received_at, kind, text, media_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (wamid) DO NOTHING
