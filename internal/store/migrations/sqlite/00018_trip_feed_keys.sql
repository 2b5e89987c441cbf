-- +goose Up
-- Carpooling (issue 6): the generation of a member's calendar address. The
-- address is the member's id, this generation and an HMAC of both under the
-- platform's secret; replacing it bumps the generation, so an old shared
-- link stops working. No row means generation 0 (the first address).
CREATE TABLE trip_feed_keys (
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    generation   INTEGER NOT NULL DEFAULT 0 CHECK (generation >= 0),
    PRIMARY KEY (territory_id, user_id)
);

-- +goose Down
DROP TABLE trip_feed_keys;
