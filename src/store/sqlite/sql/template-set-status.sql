-- A status webhook. `raw` is served to CleverTap verbatim, so its `status` moves with the column
-- (json_set edits in place: key order and every other value stay as Meta sent them).
UPDATE templates
SET status = @status,
    raw = CASE json_type(raw) WHEN 'object' THEN json_set(raw, '$.status', @status) ELSE raw END
WHERE account_id = @accountId AND id = @templateId
