-- Make leased jobs due now; they stay marked leased so their next reservation reports it.
UPDATE jobs SET run_at = @now WHERE leased = 1
