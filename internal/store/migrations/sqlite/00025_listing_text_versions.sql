-- +goose Up
-- A version of each territory's listing texts (internal/offers,
-- sql_wordsets.go): the store bumps it whenever it writes a listing's FTS5
-- row, so that an instance's in-memory set of a frequent word's listings
-- is used only while no listing text of the territory changed, on any
-- instance. A territory without a row is at version 0.
CREATE TABLE listing_text_versions (
    territory_id INTEGER PRIMARY KEY REFERENCES territories(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL
);

-- +goose Down
DROP TABLE listing_text_versions;
