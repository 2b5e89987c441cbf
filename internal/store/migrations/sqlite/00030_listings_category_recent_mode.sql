-- +goose Up
-- PostgreSQL's 00030 adds a category's shifted GiST index and a mode's
-- newest; SQLite has its cell indexes (00022) and its own newest (00025).
SELECT 1;

-- +goose Down
SELECT 1;
