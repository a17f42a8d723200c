-- One subject's entries older than the id $1, newest first, on audit_log_by_subject:
-- (before, limit, subject).
SELECT id, at, actor, action, subject, details::text AS details
  FROM audit_log
 WHERE subject = $3 AND id < $1
 ORDER BY id DESC
 LIMIT $2
