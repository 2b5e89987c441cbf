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
-- (a point is a box of zero size). territory_id is an auxiliary column so
-- that map queries rarely need the main table.
CREATE VIRTUAL TABLE initiatives_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat, +territory_id);

-- +goose StatementBegin
CREATE TRIGGER initiatives_rtree_insert AFTER INSERT ON initiatives WHEN new.status = 'published'
BEGIN
    INSERT INTO initiatives_rtree (id, min_lon, max_lon, min_lat, max_lat, territory_id)
    VALUES (new.id, new.lon, new.lon, new.lat, new.lat, new.territory_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER initiatives_rtree_update AFTER UPDATE OF status, lat, lon ON initiatives
BEGIN
    DELETE FROM initiatives_rtree WHERE id = old.id;
    INSERT INTO initiatives_rtree (id, min_lon, max_lon, min_lat, max_lat, territory_id)
    SELECT new.id, new.lon, new.lon, new.lat, new.lat, new.territory_id WHERE new.status = 'published';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER initiatives_rtree_delete AFTER DELETE ON initiatives
BEGIN
    DELETE FROM initiatives_rtree WHERE id = old.id;
END;
-- +goose StatementEnd

-- Full-text index of published initiatives, rowid = initiatives.id, kept by
-- the store in the same transaction. Each text column holds the words and
-- their French stems (computed in Go); facets holds territory, category and
-- kind tokens so that filters are answered by the index too.
CREATE VIRTUAL TABLE initiatives_fts USING fts5(
    name, body, tags, facets,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4'
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
DROP TRIGGER initiatives_rtree_delete;
DROP TRIGGER initiatives_rtree_update;
DROP TRIGGER initiatives_rtree_insert;
DROP TABLE initiatives_rtree;
DROP TABLE initiatives;
DROP TABLE mapjams;
