-- +goose Up
-- PostgreSQL copies the search's filter and ranking columns into its side
-- table initiative_search (see its 00028). SQLite needs nothing: its FTS5
-- table holds only published entries, with territory, kind and categories
-- as facets, and its rows are read by primary key.
SELECT 1;

-- +goose Down
SELECT 1;
