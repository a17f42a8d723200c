-- Inbound messages newest first, one page, keyset-paged on (received_at, wamid), each with its
-- inbound-message callback while that is kept. DRIVER: the account's condition, or nothing.
-- (accountId, cursorAt, cursorWamid, limit).
SELECT i.wamid, i.account_id, i.sender, i.context_msg_id, i.received_at, i.kind, i.text, i.media_url,
       c.url AS callback_url, c.delivered_at, c.http_status, c.last_error, c.dead_at
  FROM inbound_messages i
  LEFT JOIN callbacks c ON c.message_ref = i.wamid AND c.kind = 'imo'
 WHERE /*DRIVER*/ ($1::text IS NULL OR i.account_id = $1::text)
   AND (i.received_at, i.wamid) < ($2::bigint, $3::text)
 ORDER BY i.received_at DESC, i.wamid DESC
 LIMIT $4
