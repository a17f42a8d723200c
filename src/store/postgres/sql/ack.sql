-- Done: remove the job, unless another reservation has taken it since: (id, attempts).
DELETE FROM jobs WHERE id = $1 AND attempts = $2
