-- Inbound messages newest first, one page, keyset-paged on (received_at, rowid), each with its
-- inbound-message callback while that is kept. DRIVER: the account's condition, or nothing.
SELECT i.rowid AS key, i.wamid, i.account_id, i.sender, i.context_msg_id, i.received_at, i.kind, i.text, i.media_url,
       c.url AS callback_url, c.delivered_at, c.http_status, c.last_error, c.dead_at
  FROM inbound_messages i INDEXED BY /*INDEX*/
  LEFT JOIN callbacks c ON c.message_ref = i.wamid AND c.kind = 'imo'
 WHERE /*DRIVER*/ (i.received_at, i.rowid) < (@cursorAt, @cursorKey)
 ORDER BY i.received_at DESC, i.rowid DESC
 LIMIT @limit
