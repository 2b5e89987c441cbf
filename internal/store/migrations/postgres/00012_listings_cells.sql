-- +goose Up
-- "Near me" on listings (internal/offers, sql_postgres.go). GiST keeps the
-- columns of listings_near (00004) in order: territory, then category,
-- mode and kind, then the point, so a walk without a category descends
-- into every category's subtree (and without a mode, into every mode's):
-- hundreds of pages for twenty listings. Two smaller indexes serve those
-- queries; the planner picks the one whose columns the query constrains.
-- (SQLite's 00012 adds the grid of cells its B-trees need instead.)
CREATE INDEX listings_near_mode ON listings USING gist (territory_id, mode_code, point(pub_lon, pub_lat))
    WHERE status = 'active' AND NOT hidden_owner AND NOT expired;
CREATE INDEX listings_near_all ON listings USING gist (territory_id, point(pub_lon, pub_lat))
    WHERE status = 'active' AND NOT hidden_owner AND NOT expired;

-- +goose Down
DROP INDEX listings_near_all;
DROP INDEX listings_near_mode;
