-- +goose Up
-- Carpooling (issue 6): the partner carpool platforms a territory's search
-- also asks, through their RDEX endpoint. RDEX signs each request with an
-- HMAC keyed by the private key the partner gave us, so the server keeps it
-- in clear, as it does its own clients' keys; it is never listed nor shown.
CREATE TABLE rdex_partners (
    id           INTEGER PRIMARY KEY,
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    url          TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    private_key  TEXT NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (territory_id, name)
);

-- +goose Down
DROP TABLE rdex_partners;
