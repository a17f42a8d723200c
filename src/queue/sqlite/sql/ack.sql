-- Done: remove the job, unless another reservation has taken it since.
DELETE FROM jobs WHERE id = @id AND attempts = @attempts
