-- +goose Up
-- "Near me" and "newest first within a circle" with a category but no mode
-- (internal/offers, sql_cells.go): listings_cell_category holds the mode
-- before the cell, so such a query sought each row of cells once per mode,
-- five seeks, each on its own leaf page (a 500 m circle of one category
-- downtown: about 90 seeks, 135 pages read from the OS). This index holds
-- the cell right after the category: one seek per row of cells. Covering,
-- like the other cell indexes.
CREATE INDEX listings_cell_category_any ON listings(territory_id, category_code, cell, mode_code, kind_code, expires_at,
    pub_lat, pub_lon, created_at, status, hidden_owner, expired)
    WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;

-- +goose Down
DROP INDEX listings_cell_category_any;
