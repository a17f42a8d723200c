-- How the account's syncs went. Positional: account_id.
SELECT account_id AS accountId, last_attempt_at AS lastAttemptAt, last_success_at AS lastSuccessAt,
       last_error AS lastError, template_count AS templateCount
FROM template_sync
WHERE account_id = ?
