-- +goose Up
-- The map and directory of initiatives and commons (internal/directory).

-- unaccent lives in public so that dropping a test schema keeps it. Two
-- sessions creating it at once race on the catalogue: the loser just goes on.
-- +goose StatementBegin
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
EXCEPTION WHEN unique_violation OR duplicate_object THEN
    NULL;
END
$$;
-- +goose StatementEnd

-- French stemming without accents, and the same without stemming for
-- prefixes of words the stemmer would cut differently ("reparat").
CREATE TEXT SEARCH CONFIGURATION sc_french (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION sc_french
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, french_stem;
CREATE TEXT SEARCH CONFIGURATION sc_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION sc_simple
    ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH public.unaccent, simple;

-- The words of a commons' JSON description, without its keys.
-- +goose StatementBegin
CREATE FUNCTION commons_text(c TEXT) RETURNS TEXT IMMUTABLE LANGUAGE sql AS $$
    SELECT concat_ws(' ', c::jsonb ->> 'resource', c::jsonb ->> 'community', c::jsonb ->> 'governance')
$$;
-- +goose StatementEnd

-- The prefixes of the words of a text and of their stems, as lexemes.
-- +goose StatementBegin
CREATE FUNCTION ts_prefixes(doc TEXT) RETURNS tsvector IMMUTABLE LANGUAGE sql AS $$
    SELECT array_to_tsvector(coalesce(array_agg(DISTINCT left(u.lexeme, n)), '{}'))
    FROM unnest(to_tsvector('sc_simple', doc) || to_tsvector('sc_french', doc)) AS u,
         generate_series(2, 12) AS n
    WHERE length(u.lexeme) >= n
$$;
-- +goose StatementEnd

CREATE TABLE mapjams (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    place        TEXT NOT NULL DEFAULT '',
    starts_at    TIMESTAMPTZ NOT NULL,
    ends_at      TIMESTAMPTZ NOT NULL,
    opened_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    min_lon      DOUBLE PRECISION,
    min_lat      DOUBLE PRECISION,
    max_lon      DOUBLE PRECISION,
    max_lat      DOUBLE PRECISION,
    created_at   TIMESTAMPTZ NOT NULL,
    closed_at    TIMESTAMPTZ,
    CHECK (starts_at < ends_at)
);
CREATE INDEX mapjams_territory ON mapjams(territory_id, starts_at);

-- categories and tags are stored as ",food,energy," so that a filter is a
-- LIKE '%,food,%' in both dialects; name_key is the lower-case, unaccented
-- name used for sorting and for matching imported rows.
CREATE TABLE initiatives (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    territory_id    BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    categories      TEXT NOT NULL,
    tags            TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL CHECK (kind IN ('association', 'company', 'public_service', 'collective', 'commons')),
    address         TEXT NOT NULL DEFAULT '',
    lat             DOUBLE PRECISION NOT NULL,
    lon             DOUBLE PRECISION NOT NULL,
    merc_x          DOUBLE PRECISION NOT NULL,  -- Web Mercator position in [0, 1), for map clusters
    merc_y          DOUBLE PRECISION NOT NULL,
    opening_hours   TEXT NOT NULL DEFAULT '[]',
    website         TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    organisation_id BIGINT REFERENCES organisations(id) ON DELETE SET NULL,
    commons         TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL CHECK (status IN ('pending', 'published', 'rejected', 'archived')),
    reject_reason   TEXT NOT NULL DEFAULT '',
    source_key      TEXT NOT NULL DEFAULT '',
    mapjam_id       BIGINT REFERENCES mapjams(id) ON DELETE SET NULL,
    created_by      BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    revision        INTEGER NOT NULL DEFAULT 1,  -- number of the applied revision shown
    revision_seq    INTEGER NOT NULL DEFAULT 1,  -- last revision number handed out
    -- Every prefix (2 to 12 letters) of every word and of its French stem,
    -- accents removed: a search for "repar" is then an exact lookup in the
    -- GIN index, as fast for a common word as for a rare one, where a
    -- prefix query ('repar:*') would merge the lists of every word that
    -- starts so. search_name holds the name's, which rank first.
    search          TSVECTOR GENERATED ALWAYS AS (ts_prefixes(
        name || ' ' || summary || ' ' || replace(tags, ',', ' ') || ' ' || description || ' ' || address || ' ' ||
        commons_text(commons))) STORED,
    search_name     TSVECTOR GENERATED ALWAYS AS (ts_prefixes(name)) STORED
);
CREATE UNIQUE INDEX initiatives_source_key ON initiatives(territory_id, source_key) WHERE source_key <> '';
CREATE INDEX initiatives_status_name ON initiatives(territory_id, status, name_key);
CREATE INDEX initiatives_status_created ON initiatives(territory_id, status, created_at);
CREATE INDEX initiatives_name_key ON initiatives(territory_id, name_key);
CREATE INDEX initiatives_mapjam ON initiatives(mapjam_id) WHERE mapjam_id IS NOT NULL;
CREATE INDEX initiatives_organisation ON initiatives(organisation_id) WHERE organisation_id IS NOT NULL;
-- Only published initiatives are on the map. Queries use point(lon, lat)
-- <@ box for a viewport and <-> for nearest neighbours (no PostGIS needed).
CREATE INDEX initiatives_point ON initiatives USING gist (point(lon, lat)) WHERE status = 'published';
CREATE INDEX initiatives_search ON initiatives USING gin (search) WHERE status = 'published';
CREATE INDEX initiatives_search_name ON initiatives USING gin (search_name) WHERE status = 'published';

-- Map clusters: per territory, how many published initiatives fall in each
-- 64-pixel cell of the Web Mercator grid at even zoom levels, with the sums
-- that give their centre (and, for a lone one, its id). Kept by a trigger,
-- so that a whole territory at low zoom reads a few hundred rows instead of
-- grouping 100,000. Emptied cells stay with n = 0.
CREATE TABLE initiative_cells (
    territory_id BIGINT NOT NULL,
    z            INTEGER NOT NULL,
    cx           INTEGER NOT NULL,
    cy           INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    sum_lat      DOUBLE PRECISION NOT NULL,
    sum_lon      DOUBLE PRECISION NOT NULL,
    sum_id       BIGINT NOT NULL,
    PRIMARY KEY (territory_id, z, cx, cy)
);

-- +goose StatementBegin
CREATE FUNCTION initiative_cells_add(t BIGINT, mx DOUBLE PRECISION, my DOUBLE PRECISION,
    lat DOUBLE PRECISION, lon DOUBLE PRECISION, id BIGINT, sign INTEGER) RETURNS void AS $$
    INSERT INTO initiative_cells AS c (territory_id, z, cx, cy, n, sum_lat, sum_lon, sum_id)
    SELECT t, z, floor(mx * (4 << z))::integer, floor(my * (4 << z))::integer, sign, sign * lat, sign * lon, sign * id
    FROM generate_series(0, 16, 2) AS z
    ORDER BY z
    ON CONFLICT (territory_id, z, cx, cy) DO UPDATE SET n = c.n + excluded.n, sum_lat = c.sum_lat + excluded.sum_lat,
        sum_lon = c.sum_lon + excluded.sum_lon, sum_id = c.sum_id + excluded.sum_id;
$$ LANGUAGE sql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION initiatives_map_trigger() RETURNS trigger AS $$
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

CREATE TRIGGER initiatives_map AFTER INSERT OR UPDATE OF status, lat, lon OR DELETE ON initiatives
    FOR EACH ROW EXECUTE FUNCTION initiatives_map_trigger();

CREATE TABLE initiative_revisions (
    initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    territory_id  BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,
    author_id     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('applied', 'pending', 'rejected')),
    content       TEXT NOT NULL,  -- JSON snapshot of the editable fields
    comment       TEXT NOT NULL DEFAULT '',  -- the author's note on the change
    review_note   TEXT NOT NULL DEFAULT '',  -- the moderator's reason when rejected
    reviewed_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    reviewed_at   TIMESTAMPTZ,
    PRIMARY KEY (initiative_id, number)
);
CREATE INDEX initiative_revisions_pending ON initiative_revisions(territory_id, created_at) WHERE status = 'pending';

CREATE TABLE reports (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    territory_id  BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    reporter_id   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    reason        TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    resolved_at   TIMESTAMPTZ,
    resolved_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    resolution    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reports_open ON reports(territory_id, created_at) WHERE resolved_at IS NULL;
CREATE INDEX reports_initiative ON reports(initiative_id);

-- +goose Down
DROP TABLE reports;
DROP TABLE initiative_revisions;
DROP TRIGGER initiatives_map ON initiatives;
DROP FUNCTION initiatives_map_trigger();
DROP FUNCTION initiative_cells_add(BIGINT, DOUBLE PRECISION, DOUBLE PRECISION, DOUBLE PRECISION, DOUBLE PRECISION, BIGINT, INTEGER);
DROP TABLE initiative_cells;
DROP TABLE initiatives;
DROP TABLE mapjams;
DROP FUNCTION ts_prefixes(TEXT);
DROP FUNCTION commons_text(TEXT);
DROP TEXT SEARCH CONFIGURATION sc_simple;
DROP TEXT SEARCH CONFIGURATION sc_french;
