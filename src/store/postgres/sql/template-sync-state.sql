-- How the account's syncs went: (account_id).
SELECT account_id, last_attempt_at, last_success_at, last_error, template_count FROM template_sync WHERE account_id = $1
