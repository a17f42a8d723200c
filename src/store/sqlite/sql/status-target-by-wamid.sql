-- The message a status names by Meta's id, read raw inside the commit that applies it:
-- rowid, id, account_id, msg_id, state, wamid, callbacks. Only a message of the account that owns
-- the number the status came for: a wamid names one message, but a delivery signed by another
-- account's app secret must not move it. One read of the unique wamid index; the account is
-- checked on the row it finds.
SELECT rowid, id, account_id, msg_id, state, wamid, callbacks FROM messages WHERE wamid = ? AND account_id = ?
