-- Messages of the cohort an inbound message replied to: its context names the message's msgId.
-- A reply comes after its message, so inbound messages received before `from` are not read.
-- (accountId, campaign, from, to).
SELECT COUNT(DISTINCT i.context_msg_id) AS replied
  FROM inbound_messages AS i
 WHERE i.context_msg_id IS NOT NULL
   AND i.received_at >= $3::bigint
   AND ($1::text IS NULL OR i.account_id = $1::text)
   AND EXISTS (SELECT 1 FROM messages AS m
                WHERE m.msg_id = i.context_msg_id AND m.account_id = i.account_id
                  AND ($2::text IS NULL OR m.campaign = $2::text)
                  AND m.accepted_at >= $3::bigint AND m.accepted_at < $4::bigint)
