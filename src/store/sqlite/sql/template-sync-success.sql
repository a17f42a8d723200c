-- A full sync committed: run after its inserts, in the same transaction, so the count is what is stored.
INSERT INTO template_sync (account_id, last_attempt_at, last_success_at, last_error, template_count)
VALUES (@accountId, @syncedAt, @syncedAt, NULL, (SELECT COUNT(*) FROM templates WHERE account_id = @accountId))
ON CONFLICT (account_id) DO UPDATE SET
  last_attempt_at = excluded.last_attempt_at,
  last_success_at = excluded.last_success_at,
  last_error = NULL,
  template_count = excluded.template_count
