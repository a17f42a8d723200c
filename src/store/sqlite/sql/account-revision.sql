-- Moves with every account write: the newest write's counter, and the row count.
SELECT COALESCE(MAX(revision), 0) || ':' || COUNT(*) FROM accounts
