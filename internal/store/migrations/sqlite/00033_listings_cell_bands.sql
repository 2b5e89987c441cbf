-- +goose Up
-- "Near me" and "newest first within a circle" without words (internal/offers,
-- sql_cells.go) read the cells of a square around the point, a range of the
-- cell indexes per row of cells. Two things made them read many pages:
--   * listings_cell_category holds the mode before the cell, so a query with
--     a category and no mode sought each row of cells once per mode (500 m of
--     one category downtown: about 90 seeks, 135 pages read from the OS);
--   * the indexes kept the cells row by row over the whole territory, so in a
--     filter's sparse part (a category and a mode: 1.1 leaf pages per row of
--     the city) a square of 32 rows read some 35 leaf pages for a few entries
--     each.
-- band_cell orders the cells by bands of four rows (about 220 m), then by
-- column: a band's cells of a column range are one range of the index, which
-- holds every row of the band; `cell` after it picks the rows asked for.
-- The indexes are rebuilt so, and two more hold the category without the
-- mode, and neither (one seek per band where the mode's index needs five).
-- Covering, like those of 00022.
ALTER TABLE listings ADD COLUMN band_cell INTEGER GENERATED ALWAYS AS
    (CAST((pub_lat + 90) * 500 AS INTEGER) * 1000000 + CAST((pub_lon + 180) * 2000 AS INTEGER)) VIRTUAL;
DROP INDEX listings_cell_category;
DROP INDEX listings_cell_mode;
CREATE INDEX listings_cell_category ON listings(territory_id, category_code, mode_code, band_cell, cell, kind_code, expires_at,
    pub_lat, pub_lon, created_at, status, hidden_owner, expired)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
CREATE INDEX listings_cell_category_any ON listings(territory_id, category_code, band_cell, cell, mode_code, kind_code, expires_at,
    pub_lat, pub_lon, created_at, status, hidden_owner, expired)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
CREATE INDEX listings_cell_mode ON listings(territory_id, mode_code, band_cell, cell, category_code, kind_code, expires_at,
    pub_lat, pub_lon, created_at, status, hidden_owner, expired)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
CREATE INDEX listings_cell_all ON listings(territory_id, band_cell, cell, category_code, mode_code, kind_code, expires_at,
    pub_lat, pub_lon, created_at, status, hidden_owner, expired)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;

-- +goose Down
DROP INDEX listings_cell_all;
DROP INDEX listings_cell_mode;
DROP INDEX listings_cell_category_any;
DROP INDEX listings_cell_category;
CREATE INDEX listings_cell_category ON listings(territory_id, category_code, mode_code, cell, kind_code, expires_at, pub_lat, pub_lon,
    created_at, status, hidden_owner, expired)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
CREATE INDEX listings_cell_mode ON listings(territory_id, mode_code, cell, category_code, kind_code, expires_at, pub_lat, pub_lon,
    created_at, status, hidden_owner, expired)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
ALTER TABLE listings DROP COLUMN band_cell;
