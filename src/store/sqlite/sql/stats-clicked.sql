-- Messages of the cohort with a tracked link tapped: a message carrying a click link (written
-- with it, so at its acceptance) with a `clicked` delivery report about it kept
-- (pipeline/click-reports.ts). Links follow creation order: the walk starts at `firstLink`
-- (stats-link-at.sql), and a message without a tracked link costs nothing.
SELECT COUNT(DISTINCT l.message_id) AS clicked
  FROM click_links AS l
 WHERE l.rowid >= @firstLink
   AND (@accountId IS NULL OR l.account_id = @accountId)
   AND EXISTS (SELECT 1 FROM messages AS m
                WHERE m.id = l.message_id
                  AND (@campaign IS NULL OR m.campaign = @campaign)
                  AND m.accepted_at >= @from AND m.accepted_at < @to)
   AND EXISTS (SELECT 1 FROM callbacks AS c INDEXED BY callbacks_by_message
                WHERE c.message_ref = l.message_id AND c.kind = 'dlr'
                  AND instr(c.payload, '"status":"clicked"') > 0)
