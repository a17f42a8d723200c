-- Entries older than the id $1, newest first, on the primary key: (before, limit).
SELECT id, at, actor, action, subject, details::text AS details
  FROM audit_log
 WHERE id < $1
 ORDER BY id DESC
 LIMIT $2
