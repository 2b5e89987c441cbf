-- +goose Up
-- Neighbourhood offers and requests (internal/offers).

-- btree_gist lets one GiST index hold territory, category, mode and kind
-- beside the point, so that a filtered "near me" walks only matching
-- entries. It lives in public, like unaccent (see 00002).
-- +goose StatementBegin
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public;
EXCEPTION WHEN unique_violation OR duplicate_object THEN
    NULL;
END
$$;
-- +goose StatementEnd

-- lat/lon is the owner's exact position: private, never shown to others.
-- pub_lat/pub_lon is the approximate one everybody sees and searches.
-- A listing is searchable while status = 'active' AND NOT hidden_owner AND
-- NOT expired (and its expiry is in the future, checked by the queries
-- between two runs of the expiry job). The *_code columns serve SQLite's
-- R*Tree and are kept here so that both stores write the same rows.
CREATE TABLE listings (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    territory_id       BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    owner_id           BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind               TEXT NOT NULL CHECK (kind IN ('offer', 'request')),
    mode               TEXT NOT NULL CHECK (mode IN ('give', 'lend', 'rent', 'swap', 'service')),
    title              TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    category           TEXT NOT NULL,
    condition          TEXT NOT NULL DEFAULT '' CHECK (condition IN ('', 'new', 'good', 'fair', 'used')),
    price_cents        BIGINT NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    currency           TEXT NOT NULL DEFAULT 'EUR',
    wanted             TEXT NOT NULL DEFAULT '',
    availability       TEXT NOT NULL DEFAULT '',
    quantity           INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 1),
    accepted_count     INTEGER NOT NULL DEFAULT 0 CHECK (accepted_count >= 0),
    lat                DOUBLE PRECISION NOT NULL,
    lon                DOUBLE PRECISION NOT NULL,
    pub_lat            DOUBLE PRECISION NOT NULL,
    pub_lon            DOUBLE PRECISION NOT NULL,
    kind_code          SMALLINT NOT NULL,
    mode_code          SMALLINT NOT NULL,
    category_code      SMALLINT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('active', 'paused', 'closed', 'hidden')),
    status_before_hide TEXT NOT NULL DEFAULT '',
    hide_reason        TEXT NOT NULL DEFAULT '',
    hidden_owner       BOOLEAN NOT NULL DEFAULT FALSE,
    expired            BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at         TIMESTAMPTZ NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    -- Stemmed and plain (unaccented) words, with the text search
    -- configurations of the directory (00002).
    search             TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('sc_french'::regconfig, title), 'A') ||
        setweight(to_tsvector('sc_simple'::regconfig, title), 'A') ||
        setweight(to_tsvector('sc_french'::regconfig, description || ' ' || wanted), 'D') ||
        setweight(to_tsvector('sc_simple'::regconfig, description || ' ' || wanted), 'D')
    ) STORED
);
CREATE INDEX listings_owner ON listings(owner_id, territory_id, created_at);
CREATE INDEX listings_recent ON listings(territory_id, created_at) WHERE status = 'active' AND NOT hidden_owner AND NOT expired;
CREATE INDEX listings_due ON listings(expires_at) WHERE status = 'active' AND NOT expired;
-- Queries must spell the predicate and point(pub_lon, pub_lat) as here.
CREATE INDEX listings_near ON listings USING gist (territory_id, category_code, mode_code, kind_code, point(pub_lon, pub_lat))
    WHERE status = 'active' AND NOT hidden_owner AND NOT expired;
CREATE INDEX listings_search ON listings USING gin (search) WHERE status = 'active' AND NOT hidden_owner AND NOT expired;

-- Up to 6 photos per listing, in order; files are kept by internal/media.
CREATE TABLE listing_photos (
    listing_id   BIGINT NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position BETWEEN 0 AND 5),
    key          TEXT NOT NULL,
    thumb_key    TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    thumb_width  INTEGER NOT NULL,
    thumb_height INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    bytes        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (listing_id, position)
);

-- An exchange: a member takes up a listing. single is set for listings of
-- one object, which may have one accepted exchange at a time: the partial
-- unique index is what guarantees it, whatever the races.
CREATE TABLE exchanges (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    territory_id   BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    listing_id     BIGINT NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    owner_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    requester_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    message        TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined', 'done', 'cancelled')),
    single         BOOLEAN NOT NULL DEFAULT FALSE,
    owner_done     BOOLEAN NOT NULL DEFAULT FALSE,
    requester_done BOOLEAN NOT NULL DEFAULT FALSE,
    reason         TEXT NOT NULL DEFAULT '',
    ended_by       BIGINT,
    payment_ref    TEXT NOT NULL DEFAULT '',  -- issue 5: the time-credit transfer paying for it
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    accepted_at    TIMESTAMPTZ,
    ended_at       TIMESTAMPTZ
);
CREATE UNIQUE INDEX exchanges_one_taker ON exchanges(listing_id) WHERE status = 'accepted' AND single;
CREATE UNIQUE INDEX exchanges_one_open ON exchanges(listing_id, requester_id) WHERE status IN ('proposed', 'accepted');
CREATE INDEX exchanges_listing ON exchanges(listing_id, created_at);
CREATE INDEX exchanges_owner ON exchanges(owner_id, territory_id, status);
CREATE INDEX exchanges_requester ON exchanges(requester_id, territory_id, status);

CREATE TABLE exchange_reviews (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    exchange_id  BIGINT NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
    reviewer_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reviewee_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment      TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (exchange_id, reviewer_id)
);
CREATE INDEX exchange_reviews_reviewee ON exchange_reviews(reviewee_id, territory_id, created_at);

-- A member's report of a listing or of another member.
CREATE TABLE offer_reports (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    listing_id   BIGINT REFERENCES listings(id) ON DELETE CASCADE,
    member_id    BIGINT REFERENCES users(id) ON DELETE CASCADE,
    reporter_id  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    reason       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    resolved_at  TIMESTAMPTZ,
    resolved_by  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    resolution   TEXT NOT NULL DEFAULT '',
    CHECK ((listing_id IS NULL) <> (member_id IS NULL))
);
CREATE INDEX offer_reports_open ON offer_reports(territory_id, created_at) WHERE resolved_at IS NULL;

-- +goose Down
DROP TABLE offer_reports;
DROP TABLE exchange_reviews;
DROP TABLE exchanges;
DROP TABLE listing_photos;
DROP TABLE listings;
