-- Where a tapped short link leads.
SELECT code, account_id AS "accountId", message_id AS "messageId", msg_id AS "msgId", url, created_at AS "createdAt" FROM click_links WHERE code = $1
