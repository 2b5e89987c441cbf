-- +goose Up
-- "Near me" on listings without words (internal/offers, sql_cells.go):
-- a grid of cells of 0.0005 degree (about 55 m by 40 m at 45°N), and two
-- covering indexes that hold, per filter, the cells in order with what the
-- query checks and returns. A search reads the cells around the point in
-- growing rings and never the table, so only matching listings of the
-- neighbourhood are read, whatever the size of the territory.
-- cell = row * 1000000 + column, rows and columns counted from -90 and -180.
ALTER TABLE listings ADD COLUMN cell INTEGER GENERATED ALWAYS AS
    (CAST((pub_lat + 90) * 2000 AS INTEGER) * 1000000 + CAST((pub_lon + 180) * 2000 AS INTEGER)) VIRTUAL;
CREATE INDEX listings_cell_category ON listings(territory_id, category_code, mode_code, cell, kind_code, expires_at, pub_lat, pub_lon)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
CREATE INDEX listings_cell_mode ON listings(territory_id, mode_code, cell, category_code, kind_code, expires_at, pub_lat, pub_lon)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;

-- +goose Down
DROP INDEX listings_cell_mode;
DROP INDEX listings_cell_category;
ALTER TABLE listings DROP COLUMN cell;
