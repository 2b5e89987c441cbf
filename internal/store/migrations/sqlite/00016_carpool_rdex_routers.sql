-- +goose Up
-- Carpooling's shared parts (issue 6): the router a territory uses to draw
-- routes (internal/route), the clients of its RDEX search endpoint
-- (internal/rdex), and the schema-lieux-covoiturage fields of the carpool
-- areas of its directory (internal/directory, carpool_areas.go).

-- router_kind is '' (straight segments), 'osrm' or 'valhalla'.
ALTER TABLE territories ADD COLUMN router_kind TEXT NOT NULL DEFAULT ''
    CHECK (router_kind IN ('', 'osrm', 'valhalla'));
ALTER TABLE territories ADD COLUMN router_url TEXT NOT NULL DEFAULT '';

-- RDEX signs requests with HMAC-SHA256 keyed by the client's private key, so
-- the server must keep that key itself, not a hash of it.
CREATE TABLE rdex_clients (
    id           INTEGER PRIMARY KEY,
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    api_key      TEXT NOT NULL UNIQUE,
    private_key  TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (territory_id, name)
);

-- A carpool area is a published initiative of the mobility category with a
-- row here; its name, address and hours are the initiative's. Its position
-- is copied here (and follows the initiative's, by trigger) so that "the
-- nearest areas" walk an index of the areas alone: one initiative in a
-- hundred is an area, and walking the index of all of them is ten times
-- slower.
CREATE TABLE carpool_areas (
    initiative_id INTEGER PRIMARY KEY REFERENCES initiatives(id) ON DELETE CASCADE,
    territory_id  INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    id_lieu       TEXT NOT NULL,
    id_local      TEXT NOT NULL DEFAULT '',
    insee         TEXT NOT NULL,
    commune       TEXT NOT NULL DEFAULT '',
    type          TEXT NOT NULL,
    updated_on    TEXT NOT NULL,           -- date_maj, YYYY-MM-DD
    open          INTEGER NOT NULL DEFAULT 1,
    source        TEXT NOT NULL DEFAULT '', -- SIREN of the data's producer
    places        INTEGER,
    pmr_places    INTEGER,
    max_minutes   INTEGER,
    hours         TEXT NOT NULL DEFAULT '', -- horaires as published
    owner         TEXT NOT NULL DEFAULT '',
    lighting      INTEGER,
    comment       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX carpool_areas_territory ON carpool_areas(territory_id, id_lieu);

-- The areas' R*Tree, territory as a third dimension (as initiatives_rtree).
CREATE VIRTUAL TABLE carpool_areas_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat, min_territory, max_territory);

-- +goose StatementBegin
CREATE TRIGGER carpool_areas_rtree_insert AFTER INSERT ON carpool_areas
BEGIN
    INSERT INTO carpool_areas_rtree (id, min_lon, max_lon, min_lat, max_lat, min_territory, max_territory)
    VALUES (new.initiative_id, new.lon, new.lon, new.lat, new.lat, new.territory_id - 0.25, new.territory_id + 0.25);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER carpool_areas_rtree_move AFTER UPDATE OF lat, lon ON carpool_areas
BEGIN
    UPDATE carpool_areas_rtree SET min_lon = new.lon, max_lon = new.lon, min_lat = new.lat, max_lat = new.lat
    WHERE id = new.initiative_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER carpool_areas_rtree_delete AFTER DELETE ON carpool_areas
BEGIN
    DELETE FROM carpool_areas_rtree WHERE id = old.initiative_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER initiatives_carpool_move AFTER UPDATE OF lat, lon ON initiatives
WHEN new.lat <> old.lat OR new.lon <> old.lon
BEGIN
    UPDATE carpool_areas SET lat = new.lat, lon = new.lon WHERE initiative_id = new.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER initiatives_carpool_move;
DROP TRIGGER carpool_areas_rtree_delete;
DROP TRIGGER carpool_areas_rtree_move;
DROP TRIGGER carpool_areas_rtree_insert;
DROP TABLE carpool_areas_rtree;
DROP TABLE carpool_areas;
DROP TABLE rdex_clients;
ALTER TABLE territories DROP COLUMN router_url;
ALTER TABLE territories DROP COLUMN router_kind;
