-- +goose Up
-- Ledger settings per territory (internal/ledger): how long after hours
-- move either side of a time-bank record may dispute them. (PostgreSQL's
-- 00014 also adds the ledger_post function; SQLite posts from Go.)
CREATE TABLE ledger_settings (
    territory_id INTEGER PRIMARY KEY REFERENCES territories(id),
    dispute_days INTEGER NOT NULL CHECK (dispute_days BETWEEN 1 AND 365),
    updated_by   INTEGER NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE ledger_settings;
