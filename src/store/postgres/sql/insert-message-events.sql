-- Events of messages' timelines, all of one commit in one statement: arrays of (message_id, at,
-- kind, state, http_status, code, title, latency_ms, url).
INSERT INTO message_events (message_id, at, kind, state, http_status, code, title, latency_ms, url)
SELECT message_id, at, kind, state, http_status, code, title, latency_ms, url
  FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::text[], $8::integer[], $9::text[])
       WITH ORDINALITY AS e(message_id, at, kind, state, http_status, code, title, latency_ms, url, n)
 ORDER BY n
