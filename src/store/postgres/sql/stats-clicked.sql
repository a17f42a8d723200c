-- Messages of the cohort with a tracked link tapped: a message carrying a click link (written
-- with it, so at its acceptance; a minute of slack) with a `clicked` delivery report about it
-- kept (pipeline/click-reports.ts). Over the links' creation index: a message without a
-- tracked link costs nothing. (accountId, campaign, from, to).
SELECT COUNT(DISTINCT l.message_id) AS clicked
  FROM click_links AS l
 WHERE l.created_at >= $3::bigint - 60000 AND l.created_at < $4::bigint + 60000
   AND ($1::text IS NULL OR l.account_id = $1::text)
   AND EXISTS (SELECT 1 FROM messages AS m
                WHERE m.id = l.message_id
                  AND ($2::text IS NULL OR m.campaign = $2::text)
                  AND m.accepted_at >= $3::bigint AND m.accepted_at < $4::bigint)
   AND EXISTS (SELECT 1 FROM callbacks AS c
                WHERE c.message_ref = l.message_id AND c.kind = 'dlr'
                  AND strpos(c.payload, '"status":"clicked"') > 0)
