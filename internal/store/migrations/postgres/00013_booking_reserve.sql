-- +goose Up
-- A booking in one round trip (internal/booking, sql.go Reserve): the
-- function locks the resource row, checks that the peak of the holding
-- reservations over [p_start, p_end) plus the request fits the quantity,
-- and inserts. Called as a statement of its own it is its own transaction,
-- so the lock is held until its commit. A VOLATILE function takes a new
-- snapshot for each statement: once the lock is granted, the peak sees what
-- the previous holder committed (READ COMMITTED). Returns the new id, or
-- -1 (no such resource), -2 (inactive), -3 (no room left).
-- +goose StatementBegin
CREATE FUNCTION booking_reserve(p_territory BIGINT, p_resource BIGINT, p_organisation BIGINT, p_user BIGINT,
    p_quantity INTEGER, p_start TIMESTAMPTZ, p_end TIMESTAMPTZ, p_status TEXT, p_note TEXT,
    p_offer_expires TIMESTAMPTZ, p_wait BIGINT, p_series BIGINT, p_now TIMESTAMPTZ) RETURNS BIGINT
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_quantity INTEGER;
    v_active   BOOLEAN;
    v_held     INTEGER;
    v_id       BIGINT;
BEGIN
    SELECT quantity, active INTO v_quantity, v_active FROM resources
        WHERE id = p_resource AND territory_id = p_territory FOR UPDATE;
    IF NOT FOUND THEN
        RETURN -1;
    END IF;
    IF NOT v_active THEN
        RETURN -2;
    END IF;
    -- The sum of the overlapping reservations bounds their peak: when it
    -- fits, so does the peak (the usual case), and one index scan decides.
    SELECT COALESCE(SUM(quantity), 0) INTO v_held FROM reservations
        WHERE resource_id = p_resource AND territory_id = p_territory
        AND status IN ('offered', 'pending', 'confirmed', 'checked_out') AND end_at > p_start AND start_at < p_end;
    IF v_held + p_quantity > v_quantity THEN
        -- The peak: sweep starts (+) and ends (-) in time order, ends first
        -- at equal times since intervals are half-open.
        SELECT COALESCE(MAX(held), 0) INTO v_held FROM (
            SELECT SUM(delta) OVER (ORDER BY at, delta ROWS UNBOUNDED PRECEDING) AS held FROM (
                SELECT GREATEST(start_at, p_start) AS at, quantity AS delta FROM reservations
                    WHERE resource_id = p_resource AND territory_id = p_territory
                    AND status IN ('offered', 'pending', 'confirmed', 'checked_out') AND end_at > p_start AND start_at < p_end
                UNION ALL
                SELECT end_at, -quantity FROM reservations
                    WHERE resource_id = p_resource AND territory_id = p_territory
                    AND status IN ('offered', 'pending', 'confirmed', 'checked_out') AND end_at > p_start AND end_at < p_end
            ) e
        ) s;
        IF v_held + p_quantity > v_quantity THEN
            RETURN -3;
        END IF;
    END IF;
    INSERT INTO reservations (territory_id, resource_id, organisation_id, user_id, quantity, start_at, end_at, status,
            note, offer_expires_at, wait_id, series_id, created_at, updated_at)
        VALUES (p_territory, p_resource, p_organisation, p_user, p_quantity, p_start, p_end, p_status,
            p_note, p_offer_expires, p_wait, p_series, p_now, p_now)
        RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
-- +goose StatementEnd

-- Bookings that arrive together share one statement and one commit
-- (sql_reserve_batch.go): booking_reserve_many books element k of each
-- array in turn and returns (k, id or refusal code). It takes the
-- resources in increasing id order, so two batches never wait for each
-- other in a cycle; each booking sees the ones before it in the batch.
-- +goose StatementBegin
CREATE FUNCTION booking_reserve_many(p_territory BIGINT[], p_resource BIGINT[], p_organisation BIGINT[],
    p_user BIGINT[], p_quantity INTEGER[], p_start TIMESTAMPTZ[], p_end TIMESTAMPTZ[], p_status TEXT[], p_note TEXT[],
    p_series BIGINT[], p_created TIMESTAMPTZ[]) RETURNS TABLE (k INTEGER, id BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    FOR k IN SELECT u.o FROM unnest(p_resource) WITH ORDINALITY AS u(r, o) ORDER BY u.r, u.o LOOP
        id := booking_reserve(p_territory[k], p_resource[k], p_organisation[k], p_user[k], p_quantity[k], p_start[k],
            p_end[k], p_status[k], p_note[k], NULL, 0, p_series[k], p_created[k]);
        RETURN NEXT;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- Recurring bookings: the occurrences of a weekly series share series_id
-- (the id of the first one booked; 0 for a single booking).
ALTER TABLE reservations ADD COLUMN series_id BIGINT NOT NULL DEFAULT 0;
CREATE INDEX reservations_series ON reservations (territory_id, series_id) WHERE series_id <> 0;

-- A confirmed reservation whose copies are still out with an overdue loan
-- waits for their return from held_at on (NULL: not held back).
ALTER TABLE reservations ADD COLUMN held_at TIMESTAMPTZ;
CREATE INDEX reservations_held ON reservations (resource_id) WHERE held_at IS NOT NULL;

-- Photos of resources, in order; the files are kept by internal/media.
CREATE TABLE resource_photos (
    resource_id  BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position BETWEEN 0 AND 5),
    key          TEXT NOT NULL,
    thumb_key    TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    thumb_width  INTEGER NOT NULL,
    thumb_height INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    bytes        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (resource_id, position)
);

-- +goose Down
DROP TABLE resource_photos;
DROP INDEX reservations_held;
ALTER TABLE reservations DROP COLUMN held_at;
DROP INDEX reservations_series;
ALTER TABLE reservations DROP COLUMN series_id;
DROP FUNCTION booking_reserve_many(BIGINT[], BIGINT[], BIGINT[], BIGINT[], INTEGER[], TIMESTAMPTZ[], TIMESTAMPTZ[],
    TEXT[], TEXT[], BIGINT[], TIMESTAMPTZ[]);
DROP FUNCTION booking_reserve(BIGINT, BIGINT, BIGINT, BIGINT, INTEGER, TIMESTAMPTZ, TIMESTAMPTZ, TEXT, TEXT,
    TIMESTAMPTZ, BIGINT, BIGINT, TIMESTAMPTZ);
