-- Newly accepted messages, all of one commit in one statement; a repeated (account_id, msg_id,
-- recipient), earlier or within the arrays, inserts nothing. Returns the ids that were stored.
-- Arrays of (id, account_id, msg_id, recipient, waba_number, content, custom_props, callbacks,
-- accepted_at, campaign, preflight).
INSERT INTO messages (id, account_id, msg_id, recipient, waba_number, content, custom_props, callbacks, state, accepted_at, updated_at, campaign, preflight)
SELECT id, account_id, msg_id, recipient, waba_number, content, custom_props, callbacks, 'accepted', accepted_at, accepted_at, campaign, preflight
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[])
       WITH ORDINALITY AS m(id, account_id, msg_id, recipient, waba_number, content, custom_props, callbacks, accepted_at, campaign, preflight, n)
 ORDER BY n
ON CONFLICT (msg_id, account_id, recipient) DO NOTHING
RETURNING id
