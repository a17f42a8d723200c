-- The events of messages retention removed: (message ids as a JSON array).
DELETE FROM message_events WHERE message_id IN (SELECT value FROM json_each(?))
