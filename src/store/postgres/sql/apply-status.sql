-- A status from Meta, found and applied in one statement: (account_id, id or NULL, wamid, state,
-- at, failure, states it may move from — domain/status.ts's canTransition).
-- The message is ours by id when the id names one of this account's messages, else by wamid,
-- and only ever one of this account's (another app on the WABA may fill the id field too). Its
-- row is locked as it is read, so concurrent statuses on other connections queue behind it and
-- each sees the state the one before left. Returns the message as it was (no row: unknown) and
-- whether it moved (false: stale).
WITH target AS (
  SELECT id, account_id, msg_id, state, callbacks FROM messages
   WHERE account_id = $1 AND (id = $2::text OR wamid = $3::text)
   ORDER BY (id = $2::text) IS TRUE DESC
   LIMIT 1
   FOR UPDATE
), moved AS (
  UPDATE messages m
     SET state = $4::text,
         wamid = COALESCE(m.wamid, $3::text),
         failure = COALESCE($6::text, m.failure),
         submitted_at = CASE WHEN $4::text = 'submitted' THEN COALESCE(m.submitted_at, $5::bigint) ELSE m.submitted_at END,
         sent_at = CASE WHEN $4::text = 'sent' THEN COALESCE(m.sent_at, $5::bigint) ELSE m.sent_at END,
         delivered_at = CASE WHEN $4::text = 'delivered' THEN COALESCE(m.delivered_at, $5::bigint) ELSE m.delivered_at END,
         read_at = CASE WHEN $4::text = 'read' THEN COALESCE(m.read_at, $5::bigint) ELSE m.read_at END,
         failed_at = CASE WHEN $4::text = 'failed' THEN COALESCE(m.failed_at, $5::bigint) ELSE m.failed_at END,
         updated_at = $5::bigint
    FROM target
   WHERE m.id = target.id AND target.state = ANY($7::text[])
  RETURNING m.id
)
SELECT target.id, target.account_id, target.msg_id, target.state AS previous, target.callbacks,
       EXISTS (SELECT 1 FROM moved) AS moved
  FROM target
