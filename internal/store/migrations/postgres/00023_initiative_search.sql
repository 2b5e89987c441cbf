-- +goose Up
-- The prefix tsvectors (every prefix of every word and of its stem) were
-- 800 of the 1,100 bytes of an initiatives row: 100,000 rows made a
-- 111 MB table that did not stay in shared buffers, so a "near me", which
-- reads 22 rows by id, read most of them from the OS cache. They move to
-- a side table, kept by a trigger in the transaction of every write to
-- initiatives (insert, edit, restored revision, import; deletion
-- cascades); searches test them with EXISTS on it. Only published rows
-- were indexed; the side table indexes every row, and the searches'
-- "status = 'published'" on initiatives does the rest.
CREATE TABLE initiative_search (
    initiative_id BIGINT PRIMARY KEY REFERENCES initiatives(id) ON DELETE CASCADE,
    search        TSVECTOR NOT NULL,
    search_name   TSVECTOR NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION initiatives_search_trigger() RETURNS trigger AS $$
BEGIN
    INSERT INTO initiative_search AS s (initiative_id, search, search_name)
    VALUES (NEW.id, ts_prefixes(NEW.name || ' ' || NEW.summary || ' ' || replace(NEW.tags, ',', ' ') || ' ' ||
                NEW.description || ' ' || NEW.address || ' ' || commons_text(NEW.commons)),
            ts_prefixes(NEW.name))
    ON CONFLICT (initiative_id) DO UPDATE SET search = excluded.search, search_name = excluded.search_name;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

INSERT INTO initiative_search (initiative_id, search, search_name)
SELECT id, search, search_name FROM initiatives;

CREATE TRIGGER initiatives_search AFTER INSERT OR UPDATE OF name, summary, tags, description, address, commons
    ON initiatives FOR EACH ROW EXECUTE FUNCTION initiatives_search_trigger();

DROP INDEX initiatives_search;
DROP INDEX initiatives_search_name;
ALTER TABLE initiatives DROP COLUMN search, DROP COLUMN search_name;
CREATE INDEX initiative_search_search ON initiative_search USING gin (search);
CREATE INDEX initiative_search_name ON initiative_search USING gin (search_name);
-- A dropped column keeps its bytes in every row until the table is
-- rewritten; CLUSTER rewrites it (in id order) inside this transaction.
CLUSTER initiatives USING initiatives_pkey;
-- The rewrite leaves the planner's statistics behind (it then took a
-- bitmap of the whole territory for 22 rows by id).
ANALYZE initiatives;
ANALYZE initiative_search;

-- +goose Down
ALTER TABLE initiatives ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (ts_prefixes(
        name || ' ' || summary || ' ' || replace(tags, ',', ' ') || ' ' || description || ' ' || address || ' ' ||
        commons_text(commons))) STORED,
    ADD COLUMN search_name TSVECTOR GENERATED ALWAYS AS (ts_prefixes(name)) STORED;
CREATE INDEX initiatives_search ON initiatives USING gin (search) WHERE status = 'published';
CREATE INDEX initiatives_search_name ON initiatives USING gin (search_name) WHERE status = 'published';
DROP TRIGGER initiatives_search ON initiatives;
DROP FUNCTION initiatives_search_trigger();
DROP TABLE initiative_search;
