-- +goose Up
-- Private messages (internal/messages). A conversation is about one subject
-- (a listing, later a carpool trip) and holds exactly two members: the one
-- who wrote first and the subject's owner.
CREATE TABLE conversations (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    territory_id    BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    subject_kind    TEXT NOT NULL,
    subject_id      BIGINT NOT NULL,
    -- Kept so the inbox needs no call per row to the subject's module;
    -- refreshed whenever a message is written from the subject's page.
    subject_title   TEXT NOT NULL DEFAULT '',
    starter_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    owner_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at      TIMESTAMPTZ NOT NULL,
    last_message_id BIGINT NOT NULL DEFAULT 0,
    last_message_at TIMESTAMPTZ NOT NULL,
    CHECK (starter_id <> owner_id),
    UNIQUE (territory_id, subject_kind, subject_id, starter_id)
);

-- One row per member of a conversation: what they read, how many incoming
-- messages they have not (a counter kept in the sending transaction, so the
-- header badge is a sum over a few index entries).
CREATE TABLE conversation_participants (
    conversation_id      BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    territory_id         BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    user_id              BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    other_id             BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    last_read_message_id BIGINT NOT NULL DEFAULT 0,
    unread               INTEGER NOT NULL DEFAULT 0 CHECK (unread >= 0),
    last_message_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_participants_inbox ON conversation_participants (user_id, territory_id, last_message_at DESC);
CREATE INDEX conversation_participants_unread ON conversation_participants (user_id, territory_id) WHERE unread > 0;

CREATE TABLE messages (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    territory_id    BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    sender_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    removed_at      TIMESTAMPTZ
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

-- Blocks hold across territories: a member blocks a person, not a place.
CREATE TABLE member_blocks (
    blocker_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    blocked_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
);

CREATE TABLE message_reports (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    territory_id    BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    message_id      BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    reporter_id     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    reason          TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    resolved_at     TIMESTAMPTZ,
    resolved_by     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    resolution      TEXT NOT NULL DEFAULT '',
    UNIQUE (message_id, reporter_id)
);
CREATE INDEX message_reports_open ON message_reports (territory_id, created_at) WHERE resolved_at IS NULL;

-- E-mail digest state per member: pending_since is set in the transaction
-- of an incoming message; the digest job claims it with a guarded UPDATE.
-- notified_upto is the highest message id a digest listed.
CREATE TABLE message_notifications (
    user_id       BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    pending_since TIMESTAMPTZ,
    last_sent_at  TIMESTAMPTZ,
    notified_upto BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX message_notifications_pending ON message_notifications (pending_since) WHERE pending_since IS NOT NULL;

-- +goose Down
DROP TABLE message_notifications;
DROP TABLE message_reports;
DROP TABLE member_blocks;
DROP TABLE messages;
DROP TABLE conversation_participants;
DROP TABLE conversations;
