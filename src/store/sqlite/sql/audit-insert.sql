-- One audit entry; its id only grows (autoincrement: never reused).
INSERT INTO audit_log (at, actor, action, subject, details)
VALUES (@at, @actor, @action, @subject, @details)
RETURNING id
