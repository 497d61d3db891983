-- +goose Up
-- Account care: user names are unique without regard to case (login is
-- the lower-cased name), a password the office reset is a one-time code
-- that must be changed at the next sign-in, API tokens have a label, an
-- expiry and can be revoked, sessions are kept by the SHA-256 of their
-- token, and failed sign-ins are counted in the database (per user and
-- address, per user, per address) with the addresses each user signed
-- in from before.
ALTER TABLE users ADD COLUMN login TEXT;
-- Names equal but for case (ADMIN beside admin): the later ones are renamed.
UPDATE users SET username = username || '-' || CAST(id AS TEXT)
 WHERE EXISTS (SELECT 1 FROM users o WHERE lower(o.username) = lower(users.username) AND o.id < users.id);
UPDATE users SET login = lower(username);
CREATE UNIQUE INDEX users_login ON users (login);
ALTER TABLE users ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN reset_expires TEXT;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;

ALTER TABLE api_tokens ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;

-- Tokens were kept in clear; from now on only their hash is. Everyone
-- signs in again once.
DELETE FROM sessions;

CREATE TABLE login_attempts (
    key      TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at  BIGINT NOT NULL
);
CREATE INDEX login_attempts_last ON login_attempts (last_at);

CREATE TABLE login_known (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, address)
);

-- +goose Down
DROP TABLE login_known;
DROP TABLE login_attempts;
DROP INDEX users_login;
