-- Message counts per account and lifecycle state, for health and stats.
SELECT account_id AS "accountId", state, count(*)::integer AS count FROM messages GROUP BY account_id, state
