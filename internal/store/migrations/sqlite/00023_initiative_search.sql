-- +goose Up
-- PostgreSQL moves its prefix tsvectors to a side table (see its 00023);
-- SQLite keeps them in its FTS5 table, already apart from the rows.
SELECT 1;

-- +goose Down
SELECT 1;
