-- A sync failed: the catalogue, last_success_at and template_count keep describing the last
-- good copy: (account_id, attempted_at, error).
INSERT INTO template_sync (account_id, last_attempt_at, last_success_at, last_error, template_count)
VALUES ($1, $2, NULL, $3, 0)
ON CONFLICT (account_id) DO UPDATE SET
  last_attempt_at = excluded.last_attempt_at,
  last_error = excluded.last_error
