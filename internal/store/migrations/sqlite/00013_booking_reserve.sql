-- +goose Up
-- SQLite needs no booking function: its single writer already serialises
-- bookings (see the PostgreSQL file). The columns and table are the same.

-- Recurring bookings: the occurrences of a weekly series share series_id
-- (the id of the first one booked; 0 for a single booking).
ALTER TABLE reservations ADD COLUMN series_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX reservations_series ON reservations (territory_id, series_id) WHERE series_id <> 0;

-- A confirmed reservation whose copies are still out with an overdue loan
-- waits for their return from held_at on (NULL: not held back).
ALTER TABLE reservations ADD COLUMN held_at TIMESTAMP;
CREATE INDEX reservations_held ON reservations (resource_id) WHERE held_at IS NOT NULL;

-- Photos of resources, in order; the files are kept by internal/media.
CREATE TABLE resource_photos (
    resource_id  INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position BETWEEN 0 AND 5),
    key          TEXT NOT NULL,
    thumb_key    TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    thumb_width  INTEGER NOT NULL,
    thumb_height INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    bytes        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (resource_id, position)
);

-- +goose Down
DROP TABLE resource_photos;
DROP INDEX reservations_held;
ALTER TABLE reservations DROP COLUMN held_at;
DROP INDEX reservations_series;
ALTER TABLE reservations DROP COLUMN series_id;
