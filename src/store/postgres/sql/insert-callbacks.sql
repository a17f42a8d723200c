-- Callbacks owed to CleverTap, each with its delivery job (partition: the callback's URL, ref: the
-- callback's id), in the embedded queue's table. Arrays of (account_id, kind, url, msg_id,
-- payload), then created_at, the callbacks queue's name, and the array of message_ref.
-- (`owed.id`, not `id`: ORDER BY would take the text column of the same name.)
WITH owed AS (
  INSERT INTO callbacks (account_id, kind, url, msg_id, payload, created_at, message_ref)
  SELECT account_id, kind, url, msg_id, payload, $6, message_ref
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $8::text[]) WITH ORDINALITY AS c(account_id, kind, url, msg_id, payload, message_ref, n)
   ORDER BY n
  RETURNING id, url
)
INSERT INTO jobs (queue, partition_key, ref, run_at, created_at)
SELECT $7, owed.url, owed.id::text, $6, $6 FROM owed ORDER BY owed.id
