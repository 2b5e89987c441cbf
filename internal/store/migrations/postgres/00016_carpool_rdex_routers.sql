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
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    api_key      TEXT NOT NULL UNIQUE,
    private_key  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (territory_id, name)
);

-- A carpool area is a published initiative of the mobility category with a
-- row here; its name, address and hours are the initiative's. Its position
-- is copied here (and follows the initiative's, by trigger) so that "the
-- nearest areas" walk an index of the areas alone: one initiative in a
-- hundred is an area, and walking the index of all of them is ten times
-- slower.
CREATE TABLE carpool_areas (
    initiative_id BIGINT PRIMARY KEY REFERENCES initiatives(id) ON DELETE CASCADE,
    territory_id  BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    lat           DOUBLE PRECISION NOT NULL,
    lon           DOUBLE PRECISION NOT NULL,
    id_lieu       TEXT NOT NULL,
    id_local      TEXT NOT NULL DEFAULT '',
    insee         TEXT NOT NULL,
    commune       TEXT NOT NULL DEFAULT '',
    type          TEXT NOT NULL,
    updated_on    TEXT NOT NULL,           -- date_maj, YYYY-MM-DD
    open          BOOLEAN NOT NULL DEFAULT true,
    source        TEXT NOT NULL DEFAULT '', -- SIREN of the data's producer
    places        INTEGER,
    pmr_places    INTEGER,
    max_minutes   INTEGER,
    hours         TEXT NOT NULL DEFAULT '', -- horaires as published
    owner         TEXT NOT NULL DEFAULT '',
    lighting      BOOLEAN,
    comment       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX carpool_areas_territory ON carpool_areas(territory_id, id_lieu);
CREATE INDEX carpool_areas_point ON carpool_areas USING gist (point(lon, lat));

-- +goose StatementBegin
CREATE FUNCTION carpool_areas_follow() RETURNS trigger AS $$
BEGIN
    UPDATE carpool_areas SET lat = NEW.lat, lon = NEW.lon WHERE initiative_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER initiatives_carpool_move AFTER UPDATE OF lat, lon ON initiatives
    FOR EACH ROW WHEN (NEW.lat <> OLD.lat OR NEW.lon <> OLD.lon) EXECUTE FUNCTION carpool_areas_follow();

-- +goose Down
DROP TRIGGER initiatives_carpool_move ON initiatives;
DROP FUNCTION carpool_areas_follow();
DROP TABLE carpool_areas;
DROP TABLE rdex_clients;
ALTER TABLE territories DROP COLUMN router_url;
ALTER TABLE territories DROP COLUMN router_kind;
