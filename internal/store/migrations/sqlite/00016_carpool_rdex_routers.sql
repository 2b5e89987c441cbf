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
-- row here; its position, name, address and hours are the initiative's.
CREATE TABLE carpool_areas (
    initiative_id INTEGER PRIMARY KEY REFERENCES initiatives(id) ON DELETE CASCADE,
    territory_id  INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
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

-- +goose Down
DROP TABLE carpool_areas;
DROP TABLE rdex_clients;
ALTER TABLE territories DROP COLUMN router_url;
ALTER TABLE territories DROP COLUMN router_kind;
