-- +goose Up
-- Secrets the deployment generates once and every instance shares (for
-- example the key that offsets listings' public positions).
CREATE TABLE platform_secrets (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE platform_secrets;
