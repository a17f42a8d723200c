-- A full sync's templates, one statement: (account_id, synced_at, then arrays of id, name,
-- language, status, category, raw). The caller has kept the later copy of an id listed twice.
INSERT INTO templates (account_id, id, name, language, status, category, raw, synced_at)
SELECT $1, id, name, language, status, category, raw, $2
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS t(id, name, language, status, category, raw)
