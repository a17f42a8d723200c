-- Messages of the cohort an inbound message replied to: its context names the message's msgId.
-- A reply comes after its message, so inbound messages received before `from` are not read.
SELECT COUNT(DISTINCT i.context_msg_id) AS replied
  FROM inbound_messages AS i
 WHERE i.context_msg_id IS NOT NULL
   AND i.received_at >= @from
   AND (@accountId IS NULL OR i.account_id = @accountId)
   AND EXISTS (SELECT 1 FROM messages AS m INDEXED BY messages_dedupe
                WHERE m.msg_id = i.context_msg_id AND m.account_id = i.account_id
                  AND (@campaign IS NULL OR m.campaign = @campaign)
                  AND m.accepted_at >= @from AND m.accepted_at < @to)
