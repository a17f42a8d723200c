-- A full sync committed: run after its inserts, in the same transaction, so the count is what
-- is stored: (account_id, synced_at).
INSERT INTO template_sync (account_id, last_attempt_at, last_success_at, last_error, template_count)
VALUES ($1, $2, $2, NULL, (SELECT count(*) FROM templates WHERE account_id = $1))
ON CONFLICT (account_id) DO UPDATE SET
  last_attempt_at = excluded.last_attempt_at,
  last_success_at = excluded.last_success_at,
  last_error = NULL,
  template_count = excluded.template_count
