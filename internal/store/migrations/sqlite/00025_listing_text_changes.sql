-- +goose Up
-- The changes of each territory's listing texts, filters and public
-- positions (internal/offers, sql_wordsets.go): the store appends the
-- listing's id, with the territory's next seq, in the transaction that
-- writes its FTS5 row or moves it, so that an instance's in-memory set of a
-- frequent word's listings, built at some seq, is patched with the few
-- listings changed since, on any instance. The periodic text job keeps the
-- newest rows only; a set older than the oldest kept row is rebuilt.
CREATE TABLE listing_text_changes (
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    listing_id   INTEGER NOT NULL,
    PRIMARY KEY (territory_id, seq)
) WITHOUT ROWID;

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
DROP TABLE listing_text_changes;
