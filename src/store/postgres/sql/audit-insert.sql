-- One audit entry; its identity id only grows: (at, actor, action, subject, details).
INSERT INTO audit_log (at, actor, action, subject, details)
VALUES ($1, $2, $3, $4, $5::json)
RETURNING id
