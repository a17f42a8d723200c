-- Remember an inbound message; a repeated wamid (Meta redelivering) inserts nothing.
-- Positional: wamid, account_id, sender, context_msg_id, received_at, kind, text, media_url.
INSERT INTO inbound_messages (wamid, account_id, sender, context_msg_id, received_at, kind, text, media_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (wamid) DO NOTHING
