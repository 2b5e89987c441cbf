-- +goose Up
-- Bookable resources of organisations (internal/booking): items of a
-- library of things (with identical copies), rooms and shared vehicles.
-- Reservations are UTC intervals [start_at, end_at); the service converts
-- from and to the territory's time zone. The capacity invariant (the peak of
-- overlapping holding reservations never exceeds quantity) is checked inside
-- the booking transaction, which on SQLite holds the only writer.
CREATE TABLE resources (
    id              INTEGER PRIMARY KEY,
    territory_id    INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('item', 'room', 'vehicle')),
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    quantity        INTEGER NOT NULL CHECK (quantity >= 1),
    capacity        INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    equipment       TEXT NOT NULL DEFAULT '',
    energy          TEXT NOT NULL DEFAULT '',
    station         TEXT NOT NULL DEFAULT '',
    has_position    INTEGER NOT NULL DEFAULT 0,
    lat             REAL NOT NULL DEFAULT 0,
    lon             REAL NOT NULL DEFAULT 0,
    rules           TEXT NOT NULL DEFAULT '{}',
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX resources_org ON resources (territory_id, organisation_id, name);
CREATE INDEX resources_kind ON resources (territory_id, kind, name);

-- Holding statuses (offered, pending, confirmed, checked_out) count against
-- the resource's quantity; the others are history.
CREATE TABLE reservations (
    id               INTEGER PRIMARY KEY,
    territory_id     INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    resource_id      INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    organisation_id  INTEGER NOT NULL,
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    quantity         INTEGER NOT NULL CHECK (quantity >= 1),
    start_at         TIMESTAMP NOT NULL,
    end_at           TIMESTAMP NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('offered', 'pending', 'confirmed', 'checked_out',
                         'returned', 'cancelled', 'refused', 'no_show', 'expired')),
    note             TEXT NOT NULL DEFAULT '',
    staff_note       TEXT NOT NULL DEFAULT '',
    condition_note   TEXT NOT NULL DEFAULT '',
    offer_expires_at TIMESTAMP,
    wait_id          INTEGER NOT NULL DEFAULT 0,
    checked_out_at   TIMESTAMP,
    returned_at      TIMESTAMP,
    renewals         INTEGER NOT NULL DEFAULT 0,
    reminders_sent   INTEGER NOT NULL DEFAULT 0,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    CHECK (end_at > start_at)
);
CREATE INDEX reservations_holding ON reservations (resource_id, end_at)
    WHERE status IN ('offered', 'pending', 'confirmed', 'checked_out');
CREATE INDEX reservations_resource ON reservations (resource_id, start_at);
CREATE INDEX reservations_user ON reservations (user_id, territory_id, start_at);
-- Overdue loans of a member, checked at every booking.
CREATE INDEX reservations_user_out ON reservations (user_id, territory_id, end_at) WHERE status = 'checked_out';
CREATE INDEX reservations_org ON reservations (territory_id, organisation_id, start_at);
CREATE INDEX reservations_confirmed_start ON reservations (start_at) WHERE status = 'confirmed';
CREATE INDEX reservations_out_end ON reservations (end_at) WHERE status = 'checked_out';
CREATE INDEX reservations_offers ON reservations (offer_expires_at) WHERE status = 'offered';

-- Waiting list: members who found an interval taken; when capacity frees
-- up, the first one that fits is offered a reservation for a while.
CREATE TABLE booking_waits (
    id             INTEGER PRIMARY KEY,
    territory_id   INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    resource_id    INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    quantity       INTEGER NOT NULL CHECK (quantity >= 1),
    start_at       TIMESTAMP NOT NULL,
    end_at         TIMESTAMP NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('waiting', 'offered', 'booked', 'expired', 'withdrawn')),
    reservation_id INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    CHECK (end_at > start_at)
);
CREATE INDEX booking_waits_resource ON booking_waits (resource_id, id) WHERE status = 'waiting';
CREATE INDEX booking_waits_user ON booking_waits (user_id, territory_id);

-- Secret calendar feed addresses of members, one per territory.
CREATE TABLE booking_feeds (
    token        TEXT PRIMARY KEY,
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (territory_id, user_id)
);

-- +goose Down
DROP TABLE booking_feeds;
DROP TABLE booking_waits;
DROP TABLE reservations;
DROP TABLE resources;
