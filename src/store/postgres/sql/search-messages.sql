-- Messages newest first, one page, keyset-paged on (accepted_at, id). Prepared once per driving
-- filter: DRIVER is replaced by its condition (store/message-search.ts), which an index of
-- migration 011 serves in this order; every other filter is a residual test (NULL: not asked).
-- (accountId, msgId, phone, campaign, state, from, to, cursorAt, cursorId, limit).
SELECT id, account_id, msg_id, campaign, recipient, waba_number, content, state, wamid, failure, accepted_at, updated_at
  FROM messages
 WHERE /*DRIVER*/
       ($1::text IS NULL OR account_id = $1::text)
   AND ($2::text IS NULL OR msg_id = $2::text)
   AND ($3::text IS NULL OR recipient = $3::text)
   AND ($4::text IS NULL OR campaign = $4::text)
   AND ($5::text IS NULL OR state = $5::text)
   AND accepted_at >= $6::bigint AND accepted_at < $7::bigint
   AND (accepted_at, id) < ($8::bigint, $9::text)
 ORDER BY accepted_at DESC, id DESC
 LIMIT $10
