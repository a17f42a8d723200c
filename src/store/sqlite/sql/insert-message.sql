-- Store a newly accepted message; a repeated (account_id, msg_id, recipient) inserts nothing.
INSERT INTO messages (id, account_id, msg_id, recipient, waba_number, content, custom_props, callbacks,
                      state, accepted_at, updated_at)
VALUES (@id, @accountId, @msgId, @recipient, @wabaNumber, @content, @customProps, @callbacks,
        'accepted', @acceptedAt, @acceptedAt)
ON CONFLICT (account_id, msg_id, recipient) DO NOTHING
