-- +goose Up
-- PostgreSQL adds the filters (categories, kind, organisation) as facet
-- lexemes to its side table's tsvectors (see its 00029). SQLite needs
-- nothing: its FTS5 table has held territory, kind and category facets
-- from the start.
SELECT 1;

-- +goose Down
SELECT 1;
