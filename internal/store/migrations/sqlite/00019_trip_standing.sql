-- +goose Up
-- Carpooling (issue 6): standing bookings. A passenger books a seat on a
-- weekly trip "every week": all its coming departures in the directions
-- (legs) and on the weekdays chosen (days: weekday numbers from Sunday 0,
-- comma-separated; '' for every day of the trip). The driver accepts it
-- once (or the trip accepts automatically); from then on each departure,
-- including those the horizon job adds later, gets its own booking
-- (standing_id), its seats taken by the same guarded UPDATE as any booking.
CREATE TABLE trip_standings (
    id            INTEGER PRIMARY KEY,
    territory_id  INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    trip_id       INTEGER NOT NULL REFERENCES trips(id) ON DELETE CASCADE,
    passenger_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    driver_id     INTEGER NOT NULL,
    seats         INTEGER NOT NULL CHECK (seats >= 1),
    days          TEXT NOT NULL DEFAULT '',
    legs          TEXT NOT NULL CHECK (legs IN ('out', 'back', 'both')),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'refused', 'cancelled')),
    pickup        TEXT NOT NULL DEFAULT '',
    dropoff       TEXT NOT NULL DEFAULT '',
    message       TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    cancelled_by  INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX trip_standings_one_per_passenger ON trip_standings (trip_id, passenger_id)
    WHERE status IN ('pending', 'accepted');
CREATE INDEX trip_standings_trip ON trip_standings (trip_id, status);
CREATE INDEX trip_standings_passenger ON trip_standings (passenger_id, territory_id);
CREATE INDEX trip_standings_driver ON trip_standings (driver_id, territory_id);

ALTER TABLE trip_bookings ADD COLUMN standing_id INTEGER REFERENCES trip_standings(id) ON DELETE SET NULL;
CREATE INDEX trip_bookings_standing ON trip_bookings (standing_id) WHERE standing_id IS NOT NULL;

-- +goose Down
DROP INDEX trip_bookings_standing;
ALTER TABLE trip_bookings DROP COLUMN standing_id;
DROP TABLE trip_standings;
