-- +goose Up
-- "Near me" and "newest first within a circle" with a category alone, and
-- newest first with a mode, on PostgreSQL (internal/offers,
-- sql_postgres_near.go, sql_postgres_recent.go).
--
-- listings_near_category is listings_near_pair (00026) for a category
-- alone: each category's points shifted by 400 degrees of longitude per
-- category_code, so that a walk in order of distance from the query point
-- shifted the same way, or a box, meets that category's entries only,
-- index only (with created_at, for the newest of a circle). A category
-- alone walked listings_near and read each candidate's heap row (85-96
-- buffers warm for 39 rows); the newest of a 500 m circle with a category
-- filtered every listing of the box in listings_near_cover (410 buffers
-- downtown for 129 rows of the category).
CREATE INDEX listings_near_category ON listings USING gist (territory_id, point(pub_lon + 400 * category_code, pub_lat))
    INCLUDE (id, pub_lat, pub_lon, expires_at, created_at, kind_code, mode_code, category_code)
    WHERE status = 'active' AND NOT hidden_owner AND NOT expired;
-- A mode's listings newest first, covering (SQLite's 00025 has the same):
-- the walk of the newest with a mode reads its own entries, five times
-- fewer than listings_recent_cover's for the same page.
CREATE INDEX listings_recent_mode ON listings(territory_id, mode_code, created_at DESC, id DESC)
    INCLUDE (pub_lat, pub_lon, category_code, kind_code, expires_at)
    WHERE status = 'active' AND NOT hidden_owner AND NOT expired;

-- +goose Down
DROP INDEX listings_recent_mode;
DROP INDEX listings_near_category;
