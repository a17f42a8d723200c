-- A status moves a message forward; the rank was checked against the row just read, in the same
-- transaction. Prepared once per target state, with STATE_AT replaced by that state's timestamp
-- column and SET_WAMID by `wamid = ?,` for a message that has no wamid yet (so the wamid index
-- is touched only then) or by nothing. Positional: state, [wamid,] failure, at, at (updated_at), rowid.
UPDATE messages
   SET state = ?,
       /*SET_WAMID*/
       failure = COALESCE(?, failure),
       /*STATE_AT*/ = COALESCE(/*STATE_AT*/, ?),
       updated_at = ?
 WHERE rowid = ?
