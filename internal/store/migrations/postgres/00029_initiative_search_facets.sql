-- +goose Up
-- A search for a common word with a filter (category, kind, organisation)
-- read every name match on the side table's heap and dropped the others
-- after: "partage" in the category food read 8,585 rows on 5,420 pages to
-- keep 1,001. The filters now are lexemes of both tsvectors too, as the
-- facets of SQLite's FTS5 table, so that GIN intersects their posting
-- lists with the words' and only the filtered matches are read. A facet
-- starts with '#', which the text search parser never keeps in a token
-- (ts_debug: a blank), so no word of text can be one, nor match one as a
-- prefix; they are written with array_to_tsvector and searched as quoted
-- tsquery lexemes, never parsed. Ranking reads name_key and tags, not the
-- tsvectors, so the facets do not change it.
-- +goose StatementBegin
CREATE FUNCTION initiative_facets(categories TEXT, kind TEXT, organisation_id BIGINT) RETURNS TEXT[]
IMMUTABLE LANGUAGE sql AS $$
    SELECT ARRAY(SELECT '#c:' || c FROM unnest(string_to_array(categories, ',')) AS c WHERE c <> '')
        || ('#k:' || kind)
        || CASE WHEN organisation_id IS NULL THEN '{}'::TEXT[] ELSE ARRAY['#o:' || organisation_id] END
$$;
-- +goose StatementEnd

-- The table is built anew rather than updated in place (100,000 rows
-- rewritten with their GIN entries would leave it twice its size), with
-- writes to initiatives held until the triggers below are in place.
LOCK TABLE initiatives IN SHARE MODE;
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
SELECT s.initiative_id, s.territory_id, s.organisation_id, s.status, s.kind, s.name_key, s.categories, s.tags,
    s.search_name || f.v, s.search || f.v
FROM initiative_search s,
    LATERAL (SELECT array_to_tsvector(initiative_facets(s.categories, s.kind, s.organisation_id)) AS v) f
ORDER BY s.initiative_id;
DROP TABLE initiative_search;
ALTER TABLE initiative_search_next RENAME TO initiative_search;
ALTER INDEX initiative_search_next_pkey RENAME TO initiative_search_pkey;
ALTER TABLE initiative_search RENAME CONSTRAINT initiative_search_next_initiative_id_fkey TO initiative_search_initiative_id_fkey;
CREATE INDEX initiative_search_search ON initiative_search USING gin (search);
CREATE INDEX initiative_search_name ON initiative_search USING gin (search_name);

-- As in 00028, with the facets: a change of category, kind or
-- organisation alone swaps the old facets for the new ones.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION initiatives_search_trigger() RETURNS trigger AS $$
DECLARE
    facets TSVECTOR := array_to_tsvector(initiative_facets(NEW.categories, NEW.kind, NEW.organisation_id));
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO initiative_search (initiative_id, territory_id, organisation_id, status, kind, name_key,
            categories, tags, search_name, search)
        VALUES (NEW.id, NEW.territory_id, NEW.organisation_id, NEW.status, NEW.kind, NEW.name_key,
            NEW.categories, NEW.tags, ts_prefixes(NEW.name) || facets,
            ts_prefixes(NEW.name || ' ' || NEW.summary || ' ' || replace(NEW.tags, ',', ' ') || ' ' ||
                NEW.description || ' ' || NEW.address || ' ' || commons_text(NEW.commons)) || facets);
    ELSIF (NEW.name, NEW.summary, NEW.tags, NEW.description, NEW.address, NEW.commons)
            IS DISTINCT FROM (OLD.name, OLD.summary, OLD.tags, OLD.description, OLD.address, OLD.commons) THEN
        UPDATE initiative_search SET territory_id = NEW.territory_id, organisation_id = NEW.organisation_id,
            status = NEW.status, kind = NEW.kind, name_key = NEW.name_key, categories = NEW.categories,
            tags = NEW.tags, search_name = ts_prefixes(NEW.name) || facets,
            search = ts_prefixes(NEW.name || ' ' || NEW.summary || ' ' || replace(NEW.tags, ',', ' ') || ' ' ||
                NEW.description || ' ' || NEW.address || ' ' || commons_text(NEW.commons)) || facets
        WHERE initiative_id = NEW.id;
    ELSIF (NEW.categories, NEW.kind, NEW.organisation_id) IS DISTINCT FROM (OLD.categories, OLD.kind, OLD.organisation_id) THEN
        UPDATE initiative_search SET territory_id = NEW.territory_id, organisation_id = NEW.organisation_id,
            status = NEW.status, kind = NEW.kind, name_key = NEW.name_key, categories = NEW.categories,
            search_name = ts_delete(search_name, initiative_facets(OLD.categories, OLD.kind, OLD.organisation_id)) || facets,
            search = ts_delete(search, initiative_facets(OLD.categories, OLD.kind, OLD.organisation_id)) || facets
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

-- 00028's triggers on initiatives stay: they call the function above.
ANALYZE initiative_search;

-- +goose Down
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
UPDATE initiative_search SET search_name = ts_delete(search_name, initiative_facets(categories, kind, organisation_id)),
    search = ts_delete(search, initiative_facets(categories, kind, organisation_id));
DROP FUNCTION initiative_facets(TEXT, TEXT, BIGINT);
