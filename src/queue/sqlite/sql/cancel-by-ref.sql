-- Remove pending work about one subject whose effect was proven another way.
DELETE FROM jobs WHERE queue = @queue AND ref = @ref
