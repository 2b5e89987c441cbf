-- +goose Up
-- The changes of each territory's listing texts (internal/offers,
-- sql_wordsets.go). Only SQLite's search uses them (PostgreSQL answers
-- words near a point from its GIN and GiST indexes); the table exists in
-- both dialects so that the schema is the same.
CREATE TABLE listing_text_changes (
    territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    seq          BIGINT NOT NULL,
    listing_id   BIGINT NOT NULL,
    PRIMARY KEY (territory_id, seq)
);

-- +goose Down
DROP TABLE listing_text_changes;
