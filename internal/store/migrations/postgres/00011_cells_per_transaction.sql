-- +goose Up
-- Cluster counts (initiative_cells) are now folded once per transaction
-- instead of once per row. Upserting the same low-zoom cells for every row
-- of a 100,000-row import left that many versions of each of them in the
-- transaction, which every later upsert walked: the import slowed down
-- quadratically. The row trigger now appends the change to
-- initiative_cell_changes; a deferred trigger, at commit, folds all of the
-- transaction's changes into the cells in one statement, in key order.
-- Counts and sums stay exact (integers), the cells change in the same
-- transaction as the rows, and concurrent transactions only meet on the
-- cells' rows at commit. Unlogged: its rows never outlive their
-- transaction.
CREATE UNLOGGED TABLE initiative_cell_changes (
    territory_id BIGINT NOT NULL,
    merc_x       DOUBLE PRECISION NOT NULL,
    merc_y       DOUBLE PRECISION NOT NULL,
    lat          DOUBLE PRECISION NOT NULL,
    lon          DOUBLE PRECISION NOT NULL,
    id           BIGINT NOT NULL,
    sign         INTEGER NOT NULL
);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION initiatives_map_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'published' AND (TG_OP = 'DELETE'
        OR NEW.status <> 'published' OR NEW.lat <> OLD.lat OR NEW.lon <> OLD.lon) THEN
        INSERT INTO initiative_cell_changes VALUES (OLD.territory_id, OLD.merc_x, OLD.merc_y, OLD.lat, OLD.lon, OLD.id, -1);
        PERFORM set_config('sharingcity.cells_folded', '', true);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'published' AND (TG_OP = 'INSERT'
        OR OLD.status <> 'published' OR NEW.lat <> OLD.lat OR NEW.lon <> OLD.lon) THEN
        INSERT INTO initiative_cell_changes VALUES (NEW.territory_id, NEW.merc_x, NEW.merc_y, NEW.lat, NEW.lon, NEW.id, 1);
        PERFORM set_config('sharingcity.cells_folded', '', true);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- Fires at commit once per change row; the first firing folds them all
-- and marks the transaction, the others return at once. A change recorded
-- after a fold (SET CONSTRAINTS ... IMMEDIATE) clears the mark, and its
-- own firing comes later, so nothing is left behind.
-- +goose StatementBegin
CREATE FUNCTION initiative_cells_fold() RETURNS trigger AS $$
BEGIN
    IF current_setting('sharingcity.cells_folded', true) = 'y' THEN
        RETURN NULL;
    END IF;
    WITH d AS (DELETE FROM initiative_cell_changes RETURNING *)
    INSERT INTO initiative_cells AS c (territory_id, z, cx, cy, n, sum_lat, sum_lon, sum_id)
    SELECT d.territory_id, z.z, floor(d.merc_x * (4 << z.z))::integer, floor(d.merc_y * (4 << z.z))::integer,
        sum(d.sign), sum(d.sign * d.lat), sum(d.sign * d.lon), sum(d.sign * d.id)
    FROM d, generate_series(0, 16, 2) AS z(z)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (territory_id, z, cx, cy) DO UPDATE SET n = c.n + excluded.n, sum_lat = c.sum_lat + excluded.sum_lat,
        sum_lon = c.sum_lon + excluded.sum_lon, sum_id = c.sum_id + excluded.sum_id;
    PERFORM set_config('sharingcity.cells_folded', 'y', true);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER initiative_cell_changes_fold AFTER INSERT ON initiative_cell_changes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiative_cells_fold();

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION initiatives_map_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'published' AND (TG_OP = 'DELETE'
        OR NEW.status <> 'published' OR NEW.lat <> OLD.lat OR NEW.lon <> OLD.lon) THEN
        PERFORM initiative_cells_add(OLD.territory_id, OLD.merc_x, OLD.merc_y, OLD.lat, OLD.lon, OLD.id, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'published' AND (TG_OP = 'INSERT'
        OR OLD.status <> 'published' OR NEW.lat <> OLD.lat OR NEW.lon <> OLD.lon) THEN
        PERFORM initiative_cells_add(NEW.territory_id, NEW.merc_x, NEW.merc_y, NEW.lat, NEW.lon, NEW.id, 1);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
DROP TRIGGER initiative_cell_changes_fold ON initiative_cell_changes;
DROP FUNCTION initiative_cells_fold();
DROP TABLE initiative_cell_changes;
