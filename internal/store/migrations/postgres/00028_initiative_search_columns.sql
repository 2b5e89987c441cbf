-- +goose Up
-- A ranked search read its matches in initiative_search (00023), then
-- probed initiatives by primary key for each one's territory, status,
-- name and tags: three buffer hits a match, 738 for a rare pair of words.
-- The side table now carries what the ranked read and its filters need
-- (territory, status, name key, tags, categories, kind, organisation), so
-- that a search reads it alone until it has the page's ids. The columns
-- keep their names in initiatives so that the same conditions work on
-- both tables. The table is built anew (copying the tsvectors, not
-- computing them again) in id order, narrow columns first; the tsvectors
-- last, so that reading a row's filters does not walk them.
CREATE TABLE initiative_search_next (
    initiative_id   BIGINT PRIMARY KEY REFERENCES initiatives(id) ON DELETE CASCADE,
    territory_id    BIGINT NOT NULL,
    organisation_id BIGINT,
    status          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    categories      TEXT NOT NULL,
    tags            TEXT NOT NULL,
    search_name     TSVECTOR NOT NULL,
    search          TSVECTOR NOT NULL
);
INSERT INTO initiative_search_next
SELECT i.id, i.territory_id, i.organisation_id, i.status, i.kind, i.name_key, i.categories, i.tags, s.search_name, s.search
FROM initiatives i JOIN initiative_search s ON s.initiative_id = i.id
ORDER BY i.id;
DROP TABLE initiative_search;
ALTER TABLE initiative_search_next RENAME TO initiative_search;
ALTER INDEX initiative_search_next_pkey RENAME TO initiative_search_pkey;
ALTER TABLE initiative_search RENAME CONSTRAINT initiative_search_next_initiative_id_fkey TO initiative_search_initiative_id_fkey;
CREATE INDEX initiative_search_search ON initiative_search USING gin (search);
CREATE INDEX initiative_search_name ON initiative_search USING gin (search_name);

-- An insert writes the whole side row; an update computes the tsvectors
-- again only when the text changed (a moderator publishing an entry, or
-- an organisation deleted, copies a few columns), and the trigger's WHEN
-- skips updates that change no copied column (the service's UPDATE sets
-- every column).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION initiatives_search_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO initiative_search (initiative_id, territory_id, organisation_id, status, kind, name_key,
            categories, tags, search_name, search)
        VALUES (NEW.id, NEW.territory_id, NEW.organisation_id, NEW.status, NEW.kind, NEW.name_key,
            NEW.categories, NEW.tags, ts_prefixes(NEW.name),
            ts_prefixes(NEW.name || ' ' || NEW.summary || ' ' || replace(NEW.tags, ',', ' ') || ' ' ||
                NEW.description || ' ' || NEW.address || ' ' || commons_text(NEW.commons)));
    ELSIF (NEW.name, NEW.summary, NEW.tags, NEW.description, NEW.address, NEW.commons)
            IS DISTINCT FROM (OLD.name, OLD.summary, OLD.tags, OLD.description, OLD.address, OLD.commons) THEN
        UPDATE initiative_search SET territory_id = NEW.territory_id, organisation_id = NEW.organisation_id,
            status = NEW.status, kind = NEW.kind, name_key = NEW.name_key, categories = NEW.categories,
            tags = NEW.tags, search_name = ts_prefixes(NEW.name),
            search = ts_prefixes(NEW.name || ' ' || NEW.summary || ' ' || replace(NEW.tags, ',', ' ') || ' ' ||
                NEW.description || ' ' || NEW.address || ' ' || commons_text(NEW.commons))
        WHERE initiative_id = NEW.id;
    ELSE
        UPDATE initiative_search SET territory_id = NEW.territory_id, organisation_id = NEW.organisation_id,
            status = NEW.status, kind = NEW.kind, name_key = NEW.name_key, categories = NEW.categories
        WHERE initiative_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

DROP TRIGGER initiatives_search ON initiatives;
CREATE TRIGGER initiatives_search AFTER INSERT ON initiatives
    FOR EACH ROW EXECUTE FUNCTION initiatives_search_trigger();
CREATE TRIGGER initiatives_search_update AFTER UPDATE OF name, summary, tags, description, address, commons,
        territory_id, organisation_id, status, kind, name_key, categories ON initiatives
    FOR EACH ROW
    WHEN ((NEW.name, NEW.summary, NEW.tags, NEW.description, NEW.address, NEW.commons,
            NEW.territory_id, NEW.organisation_id, NEW.status, NEW.kind, NEW.name_key, NEW.categories)
        IS DISTINCT FROM (OLD.name, OLD.summary, OLD.tags, OLD.description, OLD.address, OLD.commons,
            OLD.territory_id, OLD.organisation_id, OLD.status, OLD.kind, OLD.name_key, OLD.categories))
    EXECUTE FUNCTION initiatives_search_trigger();
ANALYZE initiative_search;

-- +goose Down
DROP TRIGGER initiatives_search_update ON initiatives;
DROP TRIGGER initiatives_search ON initiatives;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION initiatives_search_trigger() RETURNS trigger AS $$
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
CREATE TRIGGER initiatives_search AFTER INSERT OR UPDATE OF name, summary, tags, description, address, commons
    ON initiatives FOR EACH ROW EXECUTE FUNCTION initiatives_search_trigger();
ALTER TABLE initiative_search DROP COLUMN territory_id, DROP COLUMN organisation_id, DROP COLUMN status,
    DROP COLUMN kind, DROP COLUMN name_key, DROP COLUMN categories, DROP COLUMN tags;
