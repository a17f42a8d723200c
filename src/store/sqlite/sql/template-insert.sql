-- One template of a full sync. An id listed twice in one sync (overlapping pages) keeps the later copy.
INSERT INTO templates (account_id, id, name, language, status, category, raw, synced_at)
VALUES (@accountId, @id, @name, @language, @status, @category, @raw, @syncedAt)
ON CONFLICT (account_id, id) DO UPDATE SET
  name = excluded.name,
  language = excluded.language,
  status = excluded.status,
  category = excluded.category,
  raw = excluded.raw,
  synced_at = excluded.synced_at
