-- The stored messages that duplicate requests refer to. Arrays of (account_id, msg_id, recipient).
SELECT m.id, m.account_id, m.msg_id, m.recipient
  FROM unnest($1::text[], $2::text[], $3::text[]) AS k(account_id, msg_id, recipient)
  JOIN messages m ON m.account_id = k.account_id AND m.msg_id = k.msg_id AND m.recipient = k.recipient
