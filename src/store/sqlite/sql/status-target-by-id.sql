-- The message a status names by our id (biz_opaque_callback_data), read raw inside the commit that
-- applies it: rowid (to update it without another index lookup), id, account_id, msg_id, state, wamid, callbacks.
-- Only a message of the account that owns the sending number (another app on the WABA may use the field too).
SELECT rowid, id, account_id, msg_id, state, wamid, callbacks FROM messages WHERE id = ? AND account_id = ?
