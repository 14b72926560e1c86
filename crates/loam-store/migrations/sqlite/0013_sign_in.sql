-- Sign-in tokens name their user by id and carry the user's token version; a token whose version
-- is not the user's current one is refused. Deleting, renaming, a password change, an API-key
-- rotation, a role change and signing out raise it, so every replica refuses the user's earlier
-- tokens at once. New users start at a random version, so a user created again with a deleted
-- user's id does not inherit that user's tokens.
ALTER TABLE users ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;

-- Sign-in throttling, shared by every replica: one row per case-folded username and per client
-- address (`key` is a SHA-256 digest of either, so names tried by strangers are not kept), with
-- the attempts counted since the last success, the time before which the next attempt is refused
-- (429), and the time of the last attempt (rows idle long enough are forgotten and purged).
CREATE TABLE sign_in_throttle (
    key TEXT PRIMARY KEY NOT NULL,
    attempts BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);
CREATE INDEX sign_in_throttle_last_at ON sign_in_throttle (last_at);
