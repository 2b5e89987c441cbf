-- +goose Up
-- Ledger settings per territory (internal/ledger): how long after hours
-- move either side of a time-bank record may dispute them.
CREATE TABLE ledger_settings (
    territory_id BIGINT PRIMARY KEY REFERENCES territories(id),
    dispute_days INTEGER NOT NULL CHECK (dispute_days BETWEEN 1 AND 365),
    updated_by   BIGINT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- ledger_post writes an entry, its postings and the balances they move in
-- one call, so that a transfer is one round trip (and, outside a
-- transaction, one commit). Accounts are updated in increasing id order,
-- each with the guarded UPDATE of sql.go; a refusal (limit, closed
-- account, or a CHECK) rolls the whole entry back to a savepoint and
-- returns the refusing account in out_refused. An idempotency key already
-- taken writes nothing and returns out_entry NULL and out_refused 0.
-- +goose StatementBegin
CREATE FUNCTION ledger_post(p_territory BIGINT, p_kind TEXT, p_reason TEXT, p_category TEXT, p_idem TEXT,
    p_exchange BIGINT, p_listing BIGINT, p_reverses BIGINT, p_by BIGINT, p_at TIMESTAMPTZ,
    p_accounts BIGINT[], p_territories BIGINT[], p_currencies BIGINT[], p_amounts BIGINT[],
    OUT out_entry BIGINT, OUT out_refused BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    acc   BIGINT := 0;
    delta BIGINT;
BEGIN
    out_refused := 0;
    BEGIN
        INSERT INTO ledger_entries (territory_id, kind, reason, category, idem_key, exchange_id, listing_id,
            reverses_id, created_by, created_at)
        VALUES (p_territory, p_kind, p_reason, p_category, p_idem, p_exchange, p_listing, p_reverses, p_by, p_at)
        ON CONFLICT (territory_id, idem_key) DO NOTHING
        RETURNING id INTO out_entry;
        IF out_entry IS NULL THEN
            RETURN;
        END IF;
        INSERT INTO ledger_postings (entry_id, territory_id, account_id, currency_id, amount)
        SELECT out_entry, u.t, u.a, u.c, u.m
        FROM unnest(p_territories, p_accounts, p_currencies, p_amounts) WITH ORDINALITY AS u(t, a, c, m, n)
        ORDER BY u.n;
        FOR acc, delta IN
            SELECT u.a, sum(u.m)::BIGINT FROM unnest(p_accounts, p_amounts) AS u(a, m)
            GROUP BY u.a HAVING sum(u.m) <> 0 ORDER BY u.a
        LOOP
            UPDATE ledger_accounts SET balance = balance + delta
            WHERE id = acc AND closed_at IS NULL
                AND (lower_limit IS NULL OR balance + delta >= lower_limit)
                AND (upper_limit IS NULL OR balance + delta <= upper_limit);
            IF NOT FOUND THEN
                RAISE EXCEPTION 'ledger: account % refused the posting', acc USING ERRCODE = 'LG001';
            END IF;
        END LOOP;
    EXCEPTION WHEN SQLSTATE 'LG001' OR check_violation THEN
        IF acc = 0 THEN
            RAISE; -- a CHECK on the entry or a posting: a bug, not a refusal
        END IF;
        out_entry := NULL;
        out_refused := acc;
    END;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION ledger_post(BIGINT, TEXT, TEXT, TEXT, TEXT, BIGINT, BIGINT, BIGINT, BIGINT, TIMESTAMPTZ,
    BIGINT[], BIGINT[], BIGINT[], BIGINT[]);
DROP TABLE ledger_settings;
