-- +goose Up
-- Neighbourhood offers and requests (internal/offers).

-- lat/lon is the owner's exact position: private, never shown to others.
-- pub_lat/pub_lon is the approximate one everybody sees and searches.
-- A listing is searchable while status = 'active' AND hidden_owner = 0 AND
-- expired = 0 (and its expiry is in the future, checked by the queries
-- between two runs of the expiry job). *_code columns are small integers
-- for the R*Tree's filter dimensions (fixed in offers/codes.go).
CREATE TABLE listings (
    id                 INTEGER PRIMARY KEY,
    territory_id       INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    owner_id           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind               TEXT NOT NULL CHECK (kind IN ('offer', 'request')),
    mode               TEXT NOT NULL CHECK (mode IN ('give', 'lend', 'rent', 'swap', 'service')),
    title              TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    category           TEXT NOT NULL,
    condition          TEXT NOT NULL DEFAULT '' CHECK (condition IN ('', 'new', 'good', 'fair', 'used')),
    price_cents        INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    currency           TEXT NOT NULL DEFAULT 'EUR',
    wanted             TEXT NOT NULL DEFAULT '',
    availability       TEXT NOT NULL DEFAULT '',
    quantity           INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 1),
    accepted_count     INTEGER NOT NULL DEFAULT 0 CHECK (accepted_count >= 0),
    lat                REAL NOT NULL,
    lon                REAL NOT NULL,
    pub_lat            REAL NOT NULL,
    pub_lon            REAL NOT NULL,
    kind_code          INTEGER NOT NULL,
    mode_code          INTEGER NOT NULL,
    category_code      INTEGER NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('active', 'paused', 'closed', 'hidden')),
    status_before_hide TEXT NOT NULL DEFAULT '',
    hide_reason        TEXT NOT NULL DEFAULT '',
    hidden_owner       INTEGER NOT NULL DEFAULT 0,
    expired            INTEGER NOT NULL DEFAULT 0,
    expires_at         TIMESTAMP NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX listings_owner ON listings(owner_id, territory_id, created_at);
CREATE INDEX listings_recent ON listings(territory_id, created_at) WHERE status = 'active' AND hidden_owner = 0 AND expired = 0;
CREATE INDEX listings_due ON listings(expires_at) WHERE status = 'active' AND expired = 0;

-- Searchable listings at their public position. Five dimensions: place,
-- then territory * 16 + category, kind and mode, so that a filtered "near
-- me" reads only matching points. Auxiliary columns answer the expiry
-- check and the recent sort without reading the table.
CREATE VIRTUAL TABLE listings_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat,
    min_tc, max_tc, min_kind, max_kind, min_mode, max_mode, +expires_at, +created_at);

-- +goose StatementBegin
CREATE TRIGGER listings_index_insert AFTER INSERT ON listings
WHEN new.status = 'active' AND new.hidden_owner = 0 AND new.expired = 0
BEGIN
    INSERT INTO listings_rtree VALUES (new.id, new.pub_lon, new.pub_lon, new.pub_lat, new.pub_lat,
        new.territory_id * 16 + new.category_code, new.territory_id * 16 + new.category_code,
        new.kind_code, new.kind_code, new.mode_code, new.mode_code, new.expires_at, new.created_at);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER listings_index_update AFTER UPDATE OF status, hidden_owner, expired, pub_lat, pub_lon,
    kind_code, mode_code, category_code, expires_at ON listings
BEGIN
    DELETE FROM listings_rtree WHERE id = old.id;
    INSERT INTO listings_rtree
    SELECT new.id, new.pub_lon, new.pub_lon, new.pub_lat, new.pub_lat,
        new.territory_id * 16 + new.category_code, new.territory_id * 16 + new.category_code,
        new.kind_code, new.kind_code, new.mode_code, new.mode_code, new.expires_at, new.created_at
    WHERE new.status = 'active' AND new.hidden_owner = 0 AND new.expired = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER listings_index_delete AFTER DELETE ON listings
BEGIN
    DELETE FROM listings_rtree WHERE id = old.id;
    DELETE FROM listings_fts WHERE rowid = old.id;
END;
-- +goose StatementEnd

-- Text of every listing (rowid = listings.id), words and French stems
-- computed in Go, kept by the store; facets hold territory, category, kind
-- and mode tokens. Whether a listing is searchable is read from listings.
CREATE VIRTUAL TABLE listings_fts USING fts5(
    title, body, facets,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4 5 6 7 8 9 10 11 12'
);

-- Up to 6 photos per listing, in order; files are kept by internal/media.
CREATE TABLE listing_photos (
    listing_id   INTEGER NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position BETWEEN 0 AND 5),
    key          TEXT NOT NULL,
    thumb_key    TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    thumb_width  INTEGER NOT NULL,
    thumb_height INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    bytes        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (listing_id, position)
);

-- An exchange: a member takes up a listing. single is set for listings of
-- one object, which may have one accepted exchange at a time: the partial
-- unique index is what guarantees it, whatever the races.
CREATE TABLE exchanges (
    id             INTEGER PRIMARY KEY,
    territory_id   INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    listing_id     INTEGER NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    owner_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    requester_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    message        TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined', 'done', 'cancelled')),
    single         INTEGER NOT NULL DEFAULT 0,
    owner_done     INTEGER NOT NULL DEFAULT 0,
    requester_done INTEGER NOT NULL DEFAULT 0,
    reason         TEXT NOT NULL DEFAULT '',
    ended_by       INTEGER,
    payment_ref    TEXT NOT NULL DEFAULT '',  -- issue 5: the time-credit transfer paying for it
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    accepted_at    TIMESTAMP,
    ended_at       TIMESTAMP
);
CREATE UNIQUE INDEX exchanges_one_taker ON exchanges(listing_id) WHERE status = 'accepted' AND single = 1;
CREATE UNIQUE INDEX exchanges_one_open ON exchanges(listing_id, requester_id) WHERE status IN ('proposed', 'accepted');
CREATE INDEX exchanges_listing ON exchanges(listing_id, created_at);
CREATE INDEX exchanges_owner ON exchanges(owner_id, territory_id, status);
CREATE INDEX exchanges_requester ON exchanges(requester_id, territory_id, status);

CREATE TABLE exchange_reviews (
    id           INTEGER PRIMARY KEY,
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    exchange_id  INTEGER NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
    reviewer_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reviewee_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment      TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (exchange_id, reviewer_id)
);
CREATE INDEX exchange_reviews_reviewee ON exchange_reviews(reviewee_id, territory_id, created_at);

-- A member's report of a listing or of another member.
CREATE TABLE offer_reports (
    id           INTEGER PRIMARY KEY,
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    listing_id   INTEGER REFERENCES listings(id) ON DELETE CASCADE,
    member_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
    reporter_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    reason       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    resolved_at  TIMESTAMP,
    resolved_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    resolution   TEXT NOT NULL DEFAULT '',
    CHECK ((listing_id IS NULL) <> (member_id IS NULL))
);
CREATE INDEX offer_reports_open ON offer_reports(territory_id, created_at) WHERE resolved_at IS NULL;

-- +goose Down
DROP TABLE offer_reports;
DROP TABLE exchange_reviews;
DROP TABLE exchanges;
DROP TABLE listing_photos;
DROP TRIGGER listings_index_delete;
DROP TRIGGER listings_index_update;
DROP TRIGGER listings_index_insert;
DROP TABLE listings_fts;
DROP TABLE listings_rtree;
DROP TABLE listings;
