-- +goose Up
-- The shared core: territories, accounts, roles, organisations, sessions,
-- tokens and the e-mail outbox. Every territory-owned table carries
-- territory_id (see DESIGN.md, "Scale to plan for").

CREATE TABLE territories (
    id               INTEGER PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    min_lon          REAL NOT NULL,
    min_lat          REAL NOT NULL,
    max_lon          REAL NOT NULL,
    max_lat          REAL NOT NULL,
    lang             TEXT NOT NULL DEFAULT 'fr',
    time_zone        TEXT NOT NULL DEFAULT 'Europe/Paris',
    modules          TEXT NOT NULL DEFAULT 'directory',
    tile_url         TEXT NOT NULL DEFAULT '',
    tile_attribution TEXT NOT NULL DEFAULT '',
    licence          TEXT NOT NULL DEFAULT 'ODbL-1.0',
    contact_email    TEXT NOT NULL DEFAULT '',
    data_version     INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    CHECK (min_lon < max_lon AND min_lat < max_lat)
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL DEFAULT '',
    password_hash  TEXT NOT NULL,
    lang           TEXT NOT NULL DEFAULT 'fr',
    email_verified INTEGER NOT NULL DEFAULT 0,
    platform_admin INTEGER NOT NULL DEFAULT 0,
    suspended      INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL,
    last_login_at  TIMESTAMP
);

CREATE TABLE memberships (
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('member', 'organiser', 'moderator', 'admin')),
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (territory_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE organisations (
    id           INTEGER PRIMARY KEY,
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('association', 'merchant', 'public_service', 'company', 'collective')),
    description  TEXT NOT NULL DEFAULT '',
    website      TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (territory_id, name)
);

CREATE TABLE organisation_members (
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    territory_id    INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('member', 'admin')),
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (organisation_id, user_id)
);
CREATE INDEX organisation_members_user ON organisation_members(user_id);

-- Server-side sessions (alexedwards/scs sqlite3store layout).
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry REAL NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expiry);

-- Personal API tokens: only a SHA-256 of the secret is kept.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- One-time e-mail tokens (verification, password reset): hash only.
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX email_tokens_user ON email_tokens(user_id);

-- Mail that was not sent through SMTP (none configured) or is waiting.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at    TIMESTAMP,
    error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_recipient ON outbox(recipient);

-- +goose Down
DROP TABLE outbox;
DROP TABLE email_tokens;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE organisation_members;
DROP TABLE organisations;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE territories;
