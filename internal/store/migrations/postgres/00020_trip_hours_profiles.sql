-- +goose Up
-- Carpooling (issue 6). Destinations get structured opening hours beside
-- their free-text note: a JSON object from "mon".."sun" to spans
-- "HH:MM-HH:MM" in the territory's local time ('{}': none given), the
-- format of the bookable resources' hours (internal/hours).
ALTER TABLE trip_destinations ADD COLUMN hours TEXT NOT NULL DEFAULT '{}';

-- A member's private mobility profile: "I am a woman", self-declared, for
-- women-only rides. Never public; exported to the member and deleted with
-- the account (the users row cascades).
CREATE TABLE mobility_profiles (
    user_id    BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    woman      BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE mobility_profiles;
ALTER TABLE trip_destinations DROP COLUMN hours;
