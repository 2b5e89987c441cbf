-- +goose Up
-- "Newest first within a circle" on listings (internal/offers,
-- sql_recent.go). The R*Tree answered it by reading every point of the
-- circle whatever the filters (its nodes mix categories and modes): 130 ms
-- for 2 km downtown. Now either
--   * the territory's listings newest first, in one covering index that
--     holds what the filters and the circle need (a busy circle is met
--     within a few thousand entries), or
--   * the cells of the circle, in the covering indexes of 00012, which now
--     hold the creation date too (a quiet circle, or a rare filter).
-- The indexes also hold the columns of their own WHERE: a query must spell
-- that predicate to use a partial index, and SQLite (3.54) then reads the
-- table row of every entry to check it unless the index holds them too.
-- So 00012's indexes were not covering after all: every cell entry read
-- cost a lookup in the table.
CREATE INDEX listings_recent_cover ON listings(territory_id, created_at, id, pub_lat, pub_lon,
    mode_code, category_code, kind_code, expires_at, status, hidden_owner, expired)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
DROP INDEX listings_recent;
DROP INDEX listings_cell_category;
DROP INDEX listings_cell_mode;
CREATE INDEX listings_cell_category ON listings(territory_id, category_code, mode_code, cell, kind_code, expires_at, pub_lat, pub_lon,
    created_at, status, hidden_owner, expired)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
CREATE INDEX listings_cell_mode ON listings(territory_id, mode_code, cell, category_code, kind_code, expires_at, pub_lat, pub_lon,
    created_at, status, hidden_owner, expired)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;

-- +goose Down
DROP INDEX listings_cell_mode;
DROP INDEX listings_cell_category;
CREATE INDEX listings_cell_category ON listings(territory_id, category_code, mode_code, cell, kind_code, expires_at, pub_lat, pub_lon)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
CREATE INDEX listings_cell_mode ON listings(territory_id, mode_code, cell, category_code, kind_code, expires_at, pub_lat, pub_lon)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
CREATE INDEX listings_recent ON listings(territory_id, created_at) WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
DROP INDEX listings_recent_cover;
