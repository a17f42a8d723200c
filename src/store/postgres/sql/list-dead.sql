-- Dead-lettered jobs of one queue, newest first: (queue, limit).
SELECT id, queue, partition_key AS "partitionKey", ref, attempts, reason, created_at AS "createdAt", dead_at AS "deadAt"
  FROM dead_jobs WHERE queue = $1 ORDER BY dead_at DESC, id DESC LIMIT $2
