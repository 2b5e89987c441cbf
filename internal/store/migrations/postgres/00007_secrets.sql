-- +goose Up
-- Secrets the deployment generates once and every instance shares (for
-- example the key that offsets listings' public positions).
CREATE TABLE platform_secrets (
    name       TEXT PRIMARY KEY,
    value      BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE platform_secrets;
