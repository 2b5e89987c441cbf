-- +goose Up
-- Carpooling (internal/mobility). A trip is an offer (driver) or a request
-- (passenger), one-off or weekly. Its dated departures are occurrences,
-- materialised over a rolling horizon; each keeps its UTC instant and its
-- local date, time and zone, so a weekly 7:40 survives daylight saving.
-- Seats are held on the occurrence: accepting a booking runs
-- UPDATE ... SET seats_left = seats_left - n WHERE seats_left >= n in the
-- same transaction, and a CHECK keeps seats_left from going below zero.
CREATE TABLE trips (
    id                    INTEGER PRIMARY KEY,
    territory_id          INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    user_id               INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind                  TEXT NOT NULL CHECK (kind IN ('offer', 'request')),
    from_lat              REAL NOT NULL,
    from_lon              REAL NOT NULL,
    from_label            TEXT NOT NULL DEFAULT '',
    to_lat                REAL NOT NULL,
    to_lon                REAL NOT NULL,
    to_label              TEXT NOT NULL DEFAULT '',
    stops                 TEXT NOT NULL DEFAULT '[]',
    departure             TIMESTAMP,
    weekly                TEXT NOT NULL DEFAULT '',
    seats                 INTEGER NOT NULL CHECK (seats >= 1),
    contribution_kind     TEXT NOT NULL CHECK (contribution_kind IN ('free', 'cash', 'units')),
    contribution_amount   INTEGER NOT NULL DEFAULT 0,
    contribution_currency TEXT NOT NULL DEFAULT '',
    luggage               INTEGER NOT NULL DEFAULT 0,
    smoking               INTEGER NOT NULL DEFAULT 0,
    pets                  INTEGER NOT NULL DEFAULT 0,
    women_only            INTEGER NOT NULL DEFAULT 0,
    max_detour            INTEGER NOT NULL DEFAULT 0,
    auto_accept           INTEGER NOT NULL DEFAULT 0,
    organisation_id       INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    phone                 TEXT NOT NULL DEFAULT '',
    note                  TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
    route_meters          REAL NOT NULL DEFAULT 0,
    route_seconds         INTEGER NOT NULL DEFAULT 0,
    polyline              TEXT NOT NULL DEFAULT '[]',
    horizon_until         TEXT NOT NULL DEFAULT '',
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
CREATE INDEX trips_user ON trips (territory_id, user_id, created_at);
CREATE INDEX trips_member ON trips (user_id);
CREATE INDEX trips_organisation ON trips (territory_id, organisation_id) WHERE organisation_id IS NOT NULL;
CREATE INDEX trips_horizon ON trips (horizon_until) WHERE weekly <> '' AND status = 'active';

CREATE TABLE trip_occurrences (
    id           INTEGER PRIMARY KEY,
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    trip_id      INTEGER NOT NULL REFERENCES trips(id) ON DELETE CASCADE,
    is_return    INTEGER NOT NULL DEFAULT 0,
    departs_at   TIMESTAMP NOT NULL,
    local_date   TEXT NOT NULL,
    local_time   TEXT NOT NULL,
    zone         TEXT NOT NULL,
    seats_left   INTEGER NOT NULL CHECK (seats_left >= 0),
    status       TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
    reminded     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (trip_id, local_date, is_return)
);
CREATE INDEX trip_occurrences_trip ON trip_occurrences (trip_id, departs_at);
CREATE INDEX trip_occurrences_due ON trip_occurrences (departs_at) WHERE status = 'active' AND reminded = 0;

-- The search index: the grid cells (0.015 by 0.02 degree, about 1.6 km)
-- that an occurrence's route corridor (its detour distance either side)
-- covers, with its departure. A search reads the pickup's cell within the
-- time window and checks the drop-off's cell by the primary key: it never
-- scans the trips.
CREATE TABLE trip_cells (
    occurrence_id INTEGER NOT NULL REFERENCES trip_occurrences(id) ON DELETE CASCADE,
    cell          INTEGER NOT NULL,
    territory_id  INTEGER NOT NULL,
    departs_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (occurrence_id, cell)
) WITHOUT ROWID;
CREATE INDEX trip_cells_search ON trip_cells (territory_id, cell, departs_at, occurrence_id);

CREATE TABLE trip_bookings (
    id            INTEGER PRIMARY KEY,
    territory_id  INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    trip_id       INTEGER NOT NULL REFERENCES trips(id) ON DELETE CASCADE,
    occurrence_id INTEGER NOT NULL REFERENCES trip_occurrences(id) ON DELETE CASCADE,
    passenger_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    driver_id     INTEGER NOT NULL,
    seats         INTEGER NOT NULL CHECK (seats >= 1),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'refused', 'cancelled')),
    pickup        TEXT NOT NULL DEFAULT '',
    dropoff       TEXT NOT NULL DEFAULT '',
    message       TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    cancelled_by  INTEGER NOT NULL DEFAULT 0,
    -- a contribution in units: what is owed (seats times the amount) and
    -- the ledger entry that paid it (-1 when the ledger refused)
    units_due     INTEGER NOT NULL DEFAULT 0,
    paid_entry    INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX trip_bookings_one_per_passenger ON trip_bookings (occurrence_id, passenger_id)
    WHERE status IN ('pending', 'accepted');
CREATE INDEX trip_bookings_passenger ON trip_bookings (passenger_id, territory_id, created_at);
CREATE INDEX trip_bookings_driver ON trip_bookings (driver_id, territory_id, created_at);
CREATE INDEX trip_bookings_occurrence ON trip_bookings (occurrence_id, status);
CREATE INDEX trip_bookings_accepted ON trip_bookings (territory_id, status, occurrence_id);
CREATE INDEX trip_bookings_unpaid ON trip_bookings (occurrence_id) WHERE status = 'accepted' AND units_due > 0 AND paid_entry = 0;

-- After a trip each side of an accepted booking may review the other once.
CREATE TABLE trip_reviews (
    id            INTEGER PRIMARY KEY,
    territory_id  INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    booking_id    INTEGER NOT NULL REFERENCES trip_bookings(id) ON DELETE CASCADE,
    reviewer_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reviewee_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment       TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (booking_id, reviewer_id)
);
CREATE INDEX trip_reviews_reviewee ON trip_reviews (reviewee_id, territory_id, created_at);
CREATE INDEX trip_reviews_reviewer ON trip_reviews (reviewer_id, territory_id);

-- A destination an organisation publishes (its shop, a market, an event)
-- with its opening times, for residents to offer and find rides to it.
CREATE TABLE trip_destinations (
    id              INTEGER PRIMARY KEY,
    territory_id    INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    lat             REAL NOT NULL,
    lon             REAL NOT NULL,
    label           TEXT NOT NULL,
    opening         TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX trip_destinations_territory ON trip_destinations (territory_id, organisation_id);

-- +goose Down
DROP TABLE trip_destinations;
DROP TABLE trip_reviews;
DROP TABLE trip_bookings;
DROP TABLE trip_cells;
DROP TABLE trip_occurrences;
DROP TABLE trips;
