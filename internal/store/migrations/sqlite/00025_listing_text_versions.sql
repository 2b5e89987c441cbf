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

-- Newest first within a circle with a mode or a category (sql_recent.go):
-- the walk of the newest listings reads the filter's own, five (modes) or
-- eleven (categories) times fewer entries than listings_recent_cover for
-- the same page. Covering, like it.
CREATE INDEX listings_recent_mode ON listings(territory_id, mode_code, created_at, id, pub_lat, pub_lon,
    category_code, kind_code, expires_at, status, hidden_owner, expired)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
CREATE INDEX listings_recent_category ON listings(territory_id, category_code, created_at, id, pub_lat, pub_lon,
    mode_code, kind_code, expires_at, status, hidden_owner, expired)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;

-- +goose Down
DROP INDEX listings_recent_category;
DROP INDEX listings_recent_mode;
DROP TABLE listing_text_versions;
