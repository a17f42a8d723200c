-- Click-tracking short links created before the cutoff. Positional: (olderThan, limit).
-- Rows are inserted as links are made, so the scan ends at the first young row.
DELETE FROM click_links WHERE rowid IN (
  SELECT rowid FROM click_links
  WHERE rowid < coalesce((SELECT rowid FROM click_links WHERE created_at >= ? ORDER BY rowid LIMIT 1), 9223372036854775807)
  ORDER BY rowid
  LIMIT ?
)
