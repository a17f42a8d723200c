-- Move a message forward: (id, state, at, wamid, failure, states it may move from). The states
-- it may move from come from domain/status.ts (canTransition), the one place the rule lives.
-- The row is locked as it is read, so a concurrent move on another connection waits for this
-- one and then sees the state it left: moves stay monotone on a pool. Returns the state before
-- and what a change must report, only when the message moved.
WITH before AS (
  SELECT id, account_id, msg_id, state, callbacks FROM messages WHERE id = $1 FOR UPDATE
)
UPDATE messages m
   SET state = $2::text,
       wamid = COALESCE(m.wamid, $4::text),
       failure = COALESCE($5::text, m.failure),
       submitted_at = CASE WHEN $2::text = 'submitted' THEN COALESCE(m.submitted_at, $3::bigint) ELSE m.submitted_at END,
       sent_at = CASE WHEN $2::text = 'sent' THEN COALESCE(m.sent_at, $3::bigint) ELSE m.sent_at END,
       delivered_at = CASE WHEN $2::text = 'delivered' THEN COALESCE(m.delivered_at, $3::bigint) ELSE m.delivered_at END,
       read_at = CASE WHEN $2::text = 'read' THEN COALESCE(m.read_at, $3::bigint) ELSE m.read_at END,
       failed_at = CASE WHEN $2::text = 'failed' THEN COALESCE(m.failed_at, $3::bigint) ELSE m.failed_at END,
       updated_at = $3::bigint
  FROM before
 WHERE m.id = before.id AND before.state = ANY($6::text[])
RETURNING before.account_id, before.msg_id, before.state AS previous, before.callbacks
