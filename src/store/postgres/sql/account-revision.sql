-- Moves with every account write: the newest write's counter, and the row count.
SELECT COALESCE(max(revision), 0)::text || ':' || count(*)::text AS revision FROM accounts
