-- +goose Up
-- "Near me" on listings without words (internal/offers,
-- sql_postgres_near.go): index-only walks, so that a candidate costs an
-- index entry and not a heap page; the page's rows are then read by
-- primary key.
--
-- listings_near_pair holds each (category, mode) pair in its own region of
-- the plane: its point is shifted by 400 degrees of longitude per pair
-- (category_code * 8 + mode_code, codes below 16 and 8), so that a walk
-- from the query point shifted the same way meets the pair's listings
-- first, in order of distance (a shift changes no distance within a
-- region). listings_near (00004) keys the same filters with btree_gist
-- columns, but a GiST insertion ties on them (a subtree whose category range
-- holds the new row costs nothing) and then places the row by its point
-- among subtrees of mixed categories. On 1,000,000 listings a category +
-- mode walk read 61-133 buffers for 39 rows (39 of them heap pages); this
-- one 37-38 for 58 entries, none in the heap.
CREATE INDEX listings_near_pair ON listings USING gist (territory_id, point(pub_lon + 400 * (category_code * 8 + mode_code), pub_lat))
    INCLUDE (id, pub_lat, pub_lon, expires_at, kind_code, mode_code, category_code)
    WHERE status = 'active' AND NOT hidden_owner AND NOT expired;
-- Every listing of the territory, with what the other filters test (a
-- kind; a category, for the box of the newest of a small circle, with
-- created_at).
CREATE INDEX listings_near_cover ON listings USING gist (territory_id, point(pub_lon, pub_lat))
    INCLUDE (id, pub_lat, pub_lon, expires_at, created_at, kind_code, mode_code, category_code)
    WHERE status = 'active' AND NOT hidden_owner AND NOT expired;
DROP INDEX listings_near_all;
-- The same for a mode (its btree_gist key, which the searches with words
-- use too): its listings only, no entry filtered out.
DROP INDEX listings_near_mode;
CREATE INDEX listings_near_mode ON listings USING gist (territory_id, mode_code, point(pub_lon, pub_lat))
    INCLUDE (id, pub_lat, pub_lon, expires_at, kind_code, category_code)
    WHERE status = 'active' AND NOT hidden_owner AND NOT expired;

-- +goose Down
DROP INDEX listings_near_mode;
CREATE INDEX listings_near_mode ON listings USING gist (territory_id, mode_code, point(pub_lon, pub_lat))
    WHERE status = 'active' AND NOT hidden_owner AND NOT expired;
CREATE INDEX listings_near_all ON listings USING gist (territory_id, point(pub_lon, pub_lat))
    WHERE status = 'active' AND NOT hidden_owner AND NOT expired;
DROP INDEX listings_near_cover;
DROP INDEX listings_near_pair;
