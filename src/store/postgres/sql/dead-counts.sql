-- Dead-lettered jobs per queue and partition.
SELECT queue, partition_key AS "partitionKey", count(*)::integer AS dead FROM dead_jobs GROUP BY queue, partition_key
