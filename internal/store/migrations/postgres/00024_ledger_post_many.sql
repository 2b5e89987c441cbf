-- +goose Up
-- ledger_post_many posts several transfers in one statement, one
-- transaction and one commit (internal/ledger/sql_post_batch.go, a
-- store.Group): entry k is ledger_post of element k of the entry arrays
-- with postings p_lo[k] .. p_hi[k] of the posting arrays. Each entry is
-- still checked and refused alone by ledger_post (its own savepoint); only
-- the commit is shared. Every account of the batch is locked first, in
-- increasing id order, so two batches (or a batch and a single
-- ledger_post, which also goes in increasing order) never wait for each
-- other in a cycle. The lock is FOR NO KEY UPDATE, the one the balance
-- UPDATE takes: FOR UPDATE would also conflict with the KEY SHARE locks
-- that inserting postings takes on their accounts (foreign keys), in
-- posting order, and deadlock with a lone ledger_post. Empty strings and
-- zeros stand for NULL.
-- +goose StatementBegin
CREATE FUNCTION ledger_post_many(p_territory BIGINT[], p_kind TEXT[], p_reason TEXT[], p_category TEXT[], p_idem TEXT[],
    p_exchange BIGINT[], p_listing BIGINT[], p_reverses BIGINT[], p_by BIGINT[], p_at TIMESTAMPTZ[],
    p_lo INTEGER[], p_hi INTEGER[], p_accounts BIGINT[], p_territories BIGINT[], p_currencies BIGINT[], p_amounts BIGINT[])
RETURNS TABLE (k INTEGER, out_entry BIGINT, out_refused BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    i INTEGER;
BEGIN
    PERFORM 1 FROM ledger_accounts WHERE id = ANY (p_accounts) ORDER BY id FOR NO KEY UPDATE;
    -- An integer FOR declares its own variable: k (the output) is set apart.
    FOR i IN 1 .. coalesce(array_length(p_territory, 1), 0) LOOP
        k := i;
        SELECT l.out_entry, l.out_refused INTO out_entry, out_refused
        FROM ledger_post(p_territory[k], p_kind[k], p_reason[k], p_category[k], NULLIF(p_idem[k], ''),
            NULLIF(p_exchange[k], 0), NULLIF(p_listing[k], 0), NULLIF(p_reverses[k], 0), p_by[k], p_at[k],
            p_accounts[p_lo[k]:p_hi[k]], p_territories[p_lo[k]:p_hi[k]], p_currencies[p_lo[k]:p_hi[k]],
            p_amounts[p_lo[k]:p_hi[k]]) AS l;
        RETURN NEXT;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION ledger_post_many(BIGINT[], TEXT[], TEXT[], TEXT[], TEXT[], BIGINT[], BIGINT[], BIGINT[], BIGINT[],
    TIMESTAMPTZ[], INTEGER[], INTEGER[], BIGINT[], BIGINT[], BIGINT[], BIGINT[]);
