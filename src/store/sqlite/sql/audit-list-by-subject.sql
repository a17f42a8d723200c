-- One subject's entries older than @before (an id), newest first, on audit_log_by_subject.
SELECT id, at, actor, action, subject, details
FROM audit_log
WHERE subject = @subject AND id < @before
ORDER BY id DESC
LIMIT @limit
