-- Done: remove the job, unless another reservation has taken it since. Positional (id, attempts):
-- it runs once per message sent and once per callback delivered.
DELETE FROM jobs WHERE id = ? AND attempts = ?
