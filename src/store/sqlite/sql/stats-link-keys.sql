-- The range of click link rowids, for the binary search of stats-link-at.sql.
SELECT MIN(rowid) AS first, MAX(rowid) AS last FROM click_links
