-- Short links for click-tracked buttons. Arrays of (code, account_id, message_id, msg_id, url, created_at).
INSERT INTO click_links (code, account_id, message_id, msg_id, url, created_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
