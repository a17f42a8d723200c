-- Messages newest first, one page, keyset-paged on (accepted_at, rowid). Prepared once per
-- driving filter: INDEX is replaced by the index that serves it and DRIVER by its condition
-- (store/message-search.ts); every other filter is a residual test here (NULL: not asked).
SELECT rowid AS key, id, account_id, msg_id, campaign, recipient, waba_number, content, state, wamid, failure, accepted_at, updated_at
  FROM messages INDEXED BY /*INDEX*/
 WHERE /*DRIVER*/
       (@accountId IS NULL OR account_id = @accountId)
   AND (@msgId IS NULL OR msg_id = @msgId)
   AND (@phone IS NULL OR recipient = @phone)
   AND (@campaign IS NULL OR campaign = @campaign)
   AND (@state IS NULL OR state = @state)
   AND accepted_at >= @from AND accepted_at < @to
   AND (accepted_at, rowid) < (@cursorAt, @cursorKey)
 ORDER BY accepted_at DESC, rowid DESC
 LIMIT @limit
