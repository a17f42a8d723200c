-- Click-tracking short links created before the cutoff: (olderThan, limit).
DELETE FROM click_links WHERE code IN (
  SELECT code FROM click_links WHERE created_at < $1 ORDER BY created_at LIMIT $2
)
