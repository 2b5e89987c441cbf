-- +goose Up
-- The map and directory of initiatives and commons (internal/directory).

CREATE TABLE mapjams (
    id           INTEGER PRIMARY KEY,
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    place        TEXT NOT NULL DEFAULT '',
    starts_at    TIMESTAMP NOT NULL,
    ends_at      TIMESTAMP NOT NULL,
    opened_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    min_lon      REAL,
    min_lat      REAL,
    max_lon      REAL,
    max_lat      REAL,
    created_at   TIMESTAMP NOT NULL,
    closed_at    TIMESTAMP,
    CHECK (starts_at < ends_at)
);
CREATE INDEX mapjams_territory ON mapjams(territory_id, starts_at);

-- categories and tags are stored as ",food,energy," so that a filter is a
-- LIKE '%,food,%' in both dialects; name_key is the lower-case, unaccented
-- name used for sorting and for matching imported rows.
CREATE TABLE initiatives (
    id              INTEGER PRIMARY KEY,
    territory_id    INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    categories      TEXT NOT NULL,
    tags            TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL CHECK (kind IN ('association', 'company', 'public_service', 'collective', 'commons')),
    address         TEXT NOT NULL DEFAULT '',
    lat             REAL NOT NULL,
    lon             REAL NOT NULL,
    merc_x          REAL NOT NULL,  -- Web Mercator position in [0, 1), for map clusters
    merc_y          REAL NOT NULL,
    opening_hours   TEXT NOT NULL DEFAULT '[]',
    website         TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    organisation_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    commons         TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL CHECK (status IN ('pending', 'published', 'rejected', 'archived')),
    reject_reason   TEXT NOT NULL DEFAULT '',
    source_key      TEXT NOT NULL DEFAULT '',
    mapjam_id       INTEGER REFERENCES mapjams(id) ON DELETE SET NULL,
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    revision        INTEGER NOT NULL DEFAULT 1,  -- number of the applied revision shown
    revision_seq    INTEGER NOT NULL DEFAULT 1   -- last revision number handed out
);
CREATE UNIQUE INDEX initiatives_source_key ON initiatives(territory_id, source_key) WHERE source_key <> '';
CREATE INDEX initiatives_status_name ON initiatives(territory_id, status, name_key);
CREATE INDEX initiatives_status_created ON initiatives(territory_id, status, created_at);
CREATE INDEX initiatives_name_key ON initiatives(territory_id, name_key);
CREATE INDEX initiatives_mapjam ON initiatives(mapjam_id) WHERE mapjam_id IS NOT NULL;
CREATE INDEX initiatives_organisation ON initiatives(organisation_id) WHERE organisation_id IS NOT NULL;

-- Only published initiatives are on the map, so only they are in the R*Tree
-- (a point is a box of zero size). The territory is a third dimension, so
-- that the tree itself keeps territories apart; it is given a width of 0.5,
-- because with zero width every box has zero volume and the R*Tree's
-- insertion heuristics, which compare volumes, build a tree ten times
-- slower to search.
CREATE VIRTUAL TABLE initiatives_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat, min_territory, max_territory);

-- Map clusters: per territory, how many published initiatives fall in each
-- 64-pixel cell of the Web Mercator grid at even zoom levels, with the sums
-- that give their centre (and, for a lone one, its id). Kept by triggers,
-- so that a whole territory at low zoom reads a few hundred rows instead of
-- grouping 100,000. Emptied cells stay with n = 0.
CREATE TABLE cluster_levels (z INTEGER PRIMARY KEY);
INSERT INTO cluster_levels (z) VALUES (0), (2), (4), (6), (8), (10), (12), (14), (16);
CREATE TABLE initiative_cells (
    territory_id INTEGER NOT NULL,
    z            INTEGER NOT NULL,
    cx           INTEGER NOT NULL,
    cy           INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    sum_lat      REAL NOT NULL,
    sum_lon      REAL NOT NULL,
    sum_id       INTEGER NOT NULL,
    PRIMARY KEY (territory_id, z, cx, cy)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER initiatives_map_insert AFTER INSERT ON initiatives WHEN new.status = 'published'
BEGIN
    INSERT INTO initiatives_rtree (id, min_lon, max_lon, min_lat, max_lat, min_territory, max_territory)
    VALUES (new.id, new.lon, new.lon, new.lat, new.lat, new.territory_id - 0.25, new.territory_id + 0.25);
    INSERT INTO initiative_cells (territory_id, z, cx, cy, n, sum_lat, sum_lon, sum_id)
    SELECT new.territory_id, z, CAST(new.merc_x * (4 << z) AS INTEGER), CAST(new.merc_y * (4 << z) AS INTEGER),
           1, new.lat, new.lon, new.id
    FROM cluster_levels WHERE true
    ON CONFLICT (territory_id, z, cx, cy) DO UPDATE SET n = n + 1, sum_lat = sum_lat + excluded.sum_lat,
        sum_lon = sum_lon + excluded.sum_lon, sum_id = sum_id + excluded.sum_id;
END;
-- +goose StatementEnd
-- The three update triggers have exclusive conditions, so their order
-- does not matter.
-- +goose StatementBegin
CREATE TRIGGER initiatives_map_leave AFTER UPDATE OF status ON initiatives
WHEN old.status = 'published' AND new.status <> 'published'
BEGIN
    DELETE FROM initiatives_rtree WHERE id = old.id;
    UPDATE initiative_cells SET n = n - 1, sum_lat = sum_lat - old.lat, sum_lon = sum_lon - old.lon, sum_id = sum_id - old.id
    WHERE territory_id = old.territory_id AND (z, cx, cy) IN (
        SELECT z, CAST(old.merc_x * (4 << z) AS INTEGER), CAST(old.merc_y * (4 << z) AS INTEGER) FROM cluster_levels);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER initiatives_map_enter AFTER UPDATE OF status ON initiatives
WHEN new.status = 'published' AND old.status <> 'published'
BEGIN
    INSERT INTO initiatives_rtree (id, min_lon, max_lon, min_lat, max_lat, min_territory, max_territory)
    VALUES (new.id, new.lon, new.lon, new.lat, new.lat, new.territory_id - 0.25, new.territory_id + 0.25);
    INSERT INTO initiative_cells (territory_id, z, cx, cy, n, sum_lat, sum_lon, sum_id)
    SELECT new.territory_id, z, CAST(new.merc_x * (4 << z) AS INTEGER), CAST(new.merc_y * (4 << z) AS INTEGER),
           1, new.lat, new.lon, new.id
    FROM cluster_levels WHERE true
    ON CONFLICT (territory_id, z, cx, cy) DO UPDATE SET n = n + 1, sum_lat = sum_lat + excluded.sum_lat,
        sum_lon = sum_lon + excluded.sum_lon, sum_id = sum_id + excluded.sum_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER initiatives_map_move AFTER UPDATE OF status, lat, lon ON initiatives
WHEN old.status = 'published' AND new.status = 'published' AND (new.lat <> old.lat OR new.lon <> old.lon)
BEGIN
    UPDATE initiatives_rtree SET min_lon = new.lon, max_lon = new.lon, min_lat = new.lat, max_lat = new.lat
    WHERE id = new.id;
    UPDATE initiative_cells SET n = n - 1, sum_lat = sum_lat - old.lat, sum_lon = sum_lon - old.lon, sum_id = sum_id - old.id
    WHERE territory_id = old.territory_id AND (z, cx, cy) IN (
        SELECT z, CAST(old.merc_x * (4 << z) AS INTEGER), CAST(old.merc_y * (4 << z) AS INTEGER) FROM cluster_levels);
    INSERT INTO initiative_cells (territory_id, z, cx, cy, n, sum_lat, sum_lon, sum_id)
    SELECT new.territory_id, z, CAST(new.merc_x * (4 << z) AS INTEGER), CAST(new.merc_y * (4 << z) AS INTEGER),
           1, new.lat, new.lon, new.id
    FROM cluster_levels WHERE true
    ON CONFLICT (territory_id, z, cx, cy) DO UPDATE SET n = n + 1, sum_lat = sum_lat + excluded.sum_lat,
        sum_lon = sum_lon + excluded.sum_lon, sum_id = sum_id + excluded.sum_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER initiatives_map_delete AFTER DELETE ON initiatives WHEN old.status = 'published'
BEGIN
    DELETE FROM initiatives_rtree WHERE id = old.id;
    UPDATE initiative_cells SET n = n - 1, sum_lat = sum_lat - old.lat, sum_lon = sum_lon - old.lon, sum_id = sum_id - old.id
    WHERE territory_id = old.territory_id AND (z, cx, cy) IN (
        SELECT z, CAST(old.merc_x * (4 << z) AS INTEGER), CAST(old.merc_y * (4 << z) AS INTEGER) FROM cluster_levels);
END;
-- +goose StatementEnd

-- Full-text index of published initiatives, rowid = initiatives.id, kept by
-- the store in the same transaction. Each text column holds the words and
-- their French stems (computed in Go); facets holds territory, category and
-- kind tokens so that filters are answered by the index too. A prefix index
-- per length up to 12 turns "partag*" into one lookup instead of a merge of
-- every word that starts so, which is what keeps common words fast.
CREATE VIRTUAL TABLE initiatives_fts USING fts5(
    name, body, tags, facets,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4 5 6 7 8 9 10 11 12'
);

CREATE TABLE initiative_revisions (
    initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    territory_id  INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,
    author_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at    TIMESTAMP NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('applied', 'pending', 'rejected')),
    content       TEXT NOT NULL,  -- JSON snapshot of the editable fields
    comment       TEXT NOT NULL DEFAULT '',  -- the author's note on the change
    review_note   TEXT NOT NULL DEFAULT '',  -- the moderator's reason when rejected
    reviewed_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    reviewed_at   TIMESTAMP,
    PRIMARY KEY (initiative_id, number)
);
CREATE INDEX initiative_revisions_pending ON initiative_revisions(territory_id, created_at) WHERE status = 'pending';

CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    territory_id  INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    reporter_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    reason        TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    resolved_at   TIMESTAMP,
    resolved_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    resolution    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reports_open ON reports(territory_id, created_at) WHERE resolved_at IS NULL;
CREATE INDEX reports_initiative ON reports(initiative_id);

-- +goose Down
DROP TABLE reports;
DROP TABLE initiative_revisions;
DROP TABLE initiatives_fts;
DROP TRIGGER initiatives_map_delete;
DROP TRIGGER initiatives_map_move;
DROP TRIGGER initiatives_map_enter;
DROP TRIGGER initiatives_map_leave;
DROP TRIGGER initiatives_map_insert;
DROP TABLE initiative_cells;
DROP TABLE cluster_levels;
DROP TABLE initiatives_rtree;
DROP TABLE initiatives;
DROP TABLE mapjams;
