-- Store a newly accepted message; a repeated (account_id, msg_id, recipient) inserts nothing.
-- Positional parameters: this runs for every accepted message, and binding by position is the
-- cheapest. Order: id, account_id, msg_id, recipient, waba_number, content, custom_props,
-- callbacks, accepted_at, accepted_at (as updated_at), campaign, preflight. better-sqlite3 binds only anonymous `?`.
INSERT INTO messages (id, account_id, msg_id, recipient, waba_number, content, custom_props, callbacks,
                      state, accepted_at, updated_at, campaign, preflight)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'accepted', ?, ?, ?, ?)
ON CONFLICT (msg_id, account_id, recipient) DO NOTHING
