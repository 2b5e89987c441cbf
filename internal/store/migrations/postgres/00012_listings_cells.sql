-- +goose Up
-- Nothing to do in PostgreSQL: the GiST index listings_near (00004)
-- answers "near me" by nearest-neighbour search. SQLite's 00012 adds the
-- grid of cells its B-trees need for the same queries.
SELECT 1;

-- +goose Down
SELECT 1;
