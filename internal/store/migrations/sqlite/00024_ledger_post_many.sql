-- +goose Up
-- PostgreSQL's 00024 adds ledger_post_many (several transfers in one
-- statement and one commit). SQLite needs nothing: its transfers already
-- share a commit through store.DB.Batched.
SELECT 1;

-- +goose Down
SELECT 1;
