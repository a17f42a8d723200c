-- Account writes of this schema, one at a time across replicas, until the transaction ends: the
-- checks that follow (is this id live, is this number served) hold until the commit.
SELECT pg_advisory_xact_lock(hashtextextended('wabridge.accounts:' || current_schema(), 0))
