-- The first click link at or after a rowid, with when it was written: a step of the binary
-- search for where the links written since a time begin (rowids follow creation order, and
-- click_links has no index on created_at on SQLite, where retention walks rowids too).
SELECT rowid AS key, created_at FROM click_links WHERE rowid >= @key ORDER BY rowid LIMIT 1
