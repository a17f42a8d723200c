-- Entries older than @before (an id), newest first, on the primary key.
SELECT id, at, actor, action, subject, details
FROM audit_log
WHERE id < @before
ORDER BY id DESC
LIMIT @limit
