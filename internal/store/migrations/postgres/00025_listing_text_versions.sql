-- +goose Up
-- A version of each territory's listing texts (internal/offers,
-- sql_wordsets.go). Only SQLite's search uses it (PostgreSQL answers words
-- near a point from its GIN and GiST indexes); the table exists in both
-- dialects so that the schema is the same.
CREATE TABLE listing_text_versions (
    territory_id BIGINT PRIMARY KEY REFERENCES territories(id) ON DELETE CASCADE,
    version      BIGINT NOT NULL
);

-- +goose Down
DROP TABLE listing_text_versions;
