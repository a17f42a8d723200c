-- Click-tracking short links created before the cutoff. Positional: (olderThan, limit).
DELETE FROM click_links WHERE rowid IN (
  SELECT rowid FROM click_links WHERE created_at < ? LIMIT ?
)
