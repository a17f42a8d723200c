-- Remember Meta's id for a message that has none yet (a status webhook can beat our own write).
UPDATE messages SET wamid = @wamid, updated_at = @at WHERE id = @id AND wamid IS NULL
