-- +goose Up
-- PostgreSQL's 00026 makes its "near me" walks index only; SQLite's cell
-- indexes (00022) already cover them.
SELECT 1;

-- +goose Down
SELECT 1;
