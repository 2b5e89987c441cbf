-- +goose Up
-- "Newest first within a circle" on listings (internal/offers,
-- sql_recent.go): the territory's listings newest first, in one covering
-- index that holds what the filters and the circle need, so that a busy
-- circle is met within a few thousand entries by an index-only scan (the
-- GiST box, then a sort, read every point of the circle: 120 ms for 2 km
-- downtown). Quiet circles and rare filters keep the GiST indexes.
CREATE INDEX listings_recent_cover ON listings(territory_id, created_at DESC, id DESC)
    INCLUDE (pub_lat, pub_lon, mode_code, category_code, kind_code, expires_at)
    WHERE status = 'active' AND NOT hidden_owner AND NOT expired;
DROP INDEX listings_recent;

-- +goose Down
CREATE INDEX listings_recent ON listings(territory_id, created_at) WHERE status = 'active' AND NOT hidden_owner AND NOT expired;
DROP INDEX listings_recent_cover;
