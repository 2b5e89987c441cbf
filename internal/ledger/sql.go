package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

// SQLStore keeps the ledger in either dialect; sql_sqlite.go and
// sql_postgres.go hold the little that differs.
type SQLStore struct {
	db   *store.DB
	q    store.Querier
	inTx bool
}

// NewSQLStore returns a store over db.
func NewSQLStore(db *store.DB) *SQLStore { return &SQLStore{db: db, q: db} }

// WithTx runs fn in one transaction, joining the one in ctx if any.
func (s *SQLStore) WithTx(ctx context.Context, fn func(tx Store) error) error {
	if s.inTx {
		return fn(s)
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		return fn(&SQLStore{db: s.db, q: tx, inTx: true})
	})
}

func (s *SQLStore) Batched(ctx context.Context, fn func(tx Store) error) error {
	if s.inTx {
		return fn(s)
	}
	return s.db.Batched(ctx, func(ctx context.Context) error { return s.WithTx(ctx, fn) })
}

// Direct: see Store. On PostgreSQL outside a transaction, fn gets s
// itself, whose writes commit one by one.
func (s *SQLStore) Direct(ctx context.Context, fn func(tx Store) error) error {
	if s.postgres() && !s.inTx && !store.HasTx(ctx) {
		return fn(s)
	}
	return s.Batched(ctx, fn)
}

func (s *SQLStore) write(ctx context.Context, fn func(s *SQLStore) error) error {
	return s.WithTx(ctx, func(tx Store) error { return fn(tx.(*SQLStore)) })
}

func (s *SQLStore) postgres() bool { return s.db.Dialect() == store.Postgres }

const currencyColumns = `id, territory_id, code, name, decimals, kind, default_lower, default_upper, created_at`

func scanCurrency(sc store.Scanner) (*Currency, error) {
	var c Currency
	var upper sql.NullInt64
	if err := sc.Scan(&c.ID, &c.TerritoryID, &c.Code, &c.Name, &c.Decimals, &c.Kind, &c.DefaultLower, &upper, &c.CreatedAt); err != nil {
		return nil, store.NotFound(err, "err.ledger.currency_unknown")
	}
	c.DefaultUpper = ptr(upper)
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

func ptr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func (s *SQLStore) Currency(ctx context.Context, territoryID int64, code string) (*Currency, error) {
	return scanCurrency(s.q.QueryRow(ctx, `SELECT `+currencyColumns+` FROM ledger_currencies WHERE territory_id = ? AND code = ?`, territoryID, code))
}

func (s *SQLStore) CurrencyByID(ctx context.Context, territoryID, id int64) (*Currency, error) {
	return scanCurrency(s.q.QueryRow(ctx, `SELECT `+currencyColumns+` FROM ledger_currencies WHERE territory_id = ? AND id = ?`, territoryID, id))
}

func (s *SQLStore) Currencies(ctx context.Context, territoryID int64) ([]*Currency, error) {
	rows, err := s.q.Query(ctx, `SELECT `+currencyColumns+` FROM ledger_currencies WHERE territory_id = ? ORDER BY kind <> 'time', code`, territoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Currency{}
	for rows.Next() {
		c, err := scanCurrency(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *SQLStore) InsertCurrency(ctx context.Context, c *Currency, ignoreDup bool) error {
	q := `INSERT INTO ledger_currencies (territory_id, code, name, decimals, kind, default_lower, default_upper, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	if ignoreDup {
		q += ` ON CONFLICT (territory_id, code) DO NOTHING`
	}
	err := s.write(ctx, func(s *SQLStore) error {
		return s.q.QueryRow(ctx, q+` RETURNING id`, c.TerritoryID, c.Code, c.Name, c.Decimals, c.Kind, c.DefaultLower,
			c.DefaultUpper, c.CreatedAt).Scan(&c.ID)
	})
	if ignoreDup && errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

const accountColumns = `a.id, a.territory_id, a.currency_id, c.code, c.decimals, a.owner_kind, a.owner_id, a.balance,
	a.lower_limit, a.upper_limit, a.closed_at, a.created_at`

func scanAccount(sc store.Scanner) (*Account, error) {
	var a Account
	var lower, upper sql.NullInt64
	var closed sql.NullTime
	if err := sc.Scan(&a.ID, &a.TerritoryID, &a.CurrencyID, &a.Currency, &a.Decimals, &a.OwnerKind, &a.OwnerID, &a.Balance,
		&lower, &upper, &closed, &a.CreatedAt); err != nil {
		return nil, store.NotFound(err, "err.ledger.account_unknown")
	}
	a.Lower, a.Upper = ptr(lower), ptr(upper)
	if closed.Valid {
		t := closed.Time.UTC()
		a.ClosedAt = &t
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

func (s *SQLStore) accounts(ctx context.Context, q string, args ...any) ([]*Account, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Account{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *SQLStore) EnsureAccount(ctx context.Context, cur *Currency, kind OwnerKind, ownerID int64, lower, upper *int64, now time.Time) (*Account, error) {
	var out *Account
	err := s.write(ctx, func(s *SQLStore) error {
		a, err := scanAccount(s.q.QueryRow(ctx, `SELECT `+accountColumns+` FROM ledger_accounts a JOIN ledger_currencies c ON c.id = a.currency_id
			WHERE a.currency_id = ? AND a.owner_kind = ? AND a.owner_id = ?`, cur.ID, kind, ownerID))
		if err == nil {
			out = a
			return nil
		}
		if errs.KindOf(err) != errs.NotFound {
			return err
		}
		// A racing first use: the loser's insert does nothing and it reads
		// the winner's row.
		if _, err := s.q.Exec(ctx, `INSERT INTO ledger_accounts (territory_id, currency_id, owner_kind, owner_id, balance, lower_limit, upper_limit, created_at)
			VALUES (?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (currency_id, owner_kind, owner_id) DO NOTHING`,
			cur.TerritoryID, cur.ID, kind, ownerID, lower, upper, now); err != nil {
			return fmt.Errorf("insert account: %w", err)
		}
		out, err = scanAccount(s.q.QueryRow(ctx, `SELECT `+accountColumns+` FROM ledger_accounts a JOIN ledger_currencies c ON c.id = a.currency_id
			WHERE a.currency_id = ? AND a.owner_kind = ? AND a.owner_id = ?`, cur.ID, kind, ownerID))
		return err
	})
	return out, err
}

func (s *SQLStore) Account(ctx context.Context, territoryID, id int64) (*Account, error) {
	return scanAccount(s.q.QueryRow(ctx, `SELECT `+accountColumns+` FROM ledger_accounts a JOIN ledger_currencies c ON c.id = a.currency_id
		WHERE a.territory_id = ? AND a.id = ?`, territoryID, id))
}

func (s *SQLStore) AccountsOf(ctx context.Context, territoryID int64, kind OwnerKind, ownerID int64) ([]*Account, error) {
	return s.accounts(ctx, `SELECT `+accountColumns+` FROM ledger_accounts a JOIN ledger_currencies c ON c.id = a.currency_id
		WHERE a.territory_id = ? AND a.owner_kind = ? AND a.owner_id = ? ORDER BY c.kind <> 'time', c.code`, territoryID, kind, ownerID)
}

func (s *SQLStore) AccountsIn(ctx context.Context, territoryID, currencyID, afterID int64, limit int) ([]*Account, error) {
	return s.accounts(ctx, `SELECT `+accountColumns+` FROM ledger_accounts a JOIN ledger_currencies c ON c.id = a.currency_id
		WHERE a.territory_id = ? AND a.currency_id = ? AND a.id > ? ORDER BY a.id LIMIT ?`, territoryID, currencyID, afterID, limit)
}

func (s *SQLStore) SetLimits(ctx context.Context, territoryID, id int64, lower, upper *int64) error {
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE ledger_accounts SET lower_limit = ?, upper_limit = ? WHERE territory_id = ? AND id = ?`, lower, upper, territoryID, id)
		return affected(res, err, "err.ledger.account_unknown")
	})
}

func (s *SQLStore) SetClosed(ctx context.Context, territoryID, id int64, at *time.Time) error {
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE ledger_accounts SET closed_at = ? WHERE territory_id = ? AND id = ?`, at, territoryID, id)
		return affected(res, err, "err.ledger.account_unknown")
	})
}

func affected(res sql.Result, err error, key string) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errs.E(errs.NotFound, key)
	}
	return nil
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullStr(v string) any {
	if v == "" {
		return nil
	}
	return v
}

func (s *SQLStore) insertEntry(ctx context.Context, e *Entry) (bool, error) {
	err := s.write(ctx, func(s *SQLStore) error {
		return s.q.QueryRow(ctx, `INSERT INTO ledger_entries (territory_id, kind, reason, category, idem_key, exchange_id, listing_id,
			reverses_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (territory_id, idem_key) DO NOTHING RETURNING id`,
			e.TerritoryID, e.Kind, e.Reason, e.Category, nullStr(e.IdemKey), nullInt(e.ExchangeID), nullInt(e.ListingID),
			nullInt(e.ReversesID), e.CreatedBy, e.CreatedAt).Scan(&e.ID)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if store.IsUniqueViolation(err) && e.ReversesID != 0 {
		return false, errs.Wrap(errs.Conflict, "err.ledger.already_reversed", err)
	}
	return err == nil, err
}

func (s *SQLStore) PostEntry(ctx context.Context, e *Entry) (bool, error) {
	if s.postgres() {
		return s.postEntryPG(ctx, e)
	}
	var inserted bool
	err := s.write(ctx, func(s *SQLStore) error {
		var err error
		if inserted, err = s.insertEntry(ctx, e); err != nil || !inserted {
			return err
		}
		return s.post(ctx, e)
	})
	return inserted && err == nil, err
}

const entryColumns = `id, territory_id, kind, reason, category, COALESCE(idem_key, ''), COALESCE(exchange_id, 0),
	COALESCE(listing_id, 0), COALESCE(reverses_id, 0), created_by, created_at`

func (s *SQLStore) entry(ctx context.Context, q string, args ...any) (*Entry, error) {
	var e Entry
	if err := s.q.QueryRow(ctx, `SELECT `+entryColumns+` FROM ledger_entries WHERE `+q, args...).Scan(&e.ID, &e.TerritoryID, &e.Kind,
		&e.Reason, &e.Category, &e.IdemKey, &e.ExchangeID, &e.ListingID, &e.ReversesID, &e.CreatedBy, &e.CreatedAt); err != nil {
		return nil, store.NotFound(err, "err.ledger.entry_unknown")
	}
	e.CreatedAt = e.CreatedAt.UTC()
	rows, err := s.q.Query(ctx, `SELECT account_id, territory_id, currency_id, amount FROM ledger_postings WHERE entry_id = ? ORDER BY id`, e.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Posting
		if err := rows.Scan(&p.AccountID, &p.TerritoryID, &p.CurrencyID, &p.Amount); err != nil {
			return nil, err
		}
		e.Postings = append(e.Postings, p)
	}
	return &e, rows.Err()
}

func (s *SQLStore) EntryByKey(ctx context.Context, territoryID int64, key string) (*Entry, error) {
	return s.entry(ctx, `territory_id = ? AND idem_key = ?`, territoryID, key)
}

func (s *SQLStore) Entry(ctx context.Context, territoryID, id int64) (*Entry, error) {
	return s.entry(ctx, `territory_id = ? AND id = ?`, territoryID, id)
}

// guardedUpdate moves a balance only if the account is open and stays
// within its limits: the invariant lives in this one statement (and in
// the table's CHECKs), never in a read followed by a write.
const guardedUpdate = `UPDATE ledger_accounts SET balance = balance + ?
	WHERE id = ? AND closed_at IS NULL
	AND (lower_limit IS NULL OR balance + ? >= lower_limit)
	AND (upper_limit IS NULL OR balance + ? <= upper_limit)`

func (s *SQLStore) post(ctx context.Context, e *Entry) error {
	return s.write(ctx, func(s *SQLStore) error {
		args := make([]any, 0, 5*len(e.Postings))
		vals := make([]string, 0, len(e.Postings))
		delta := make(map[int64]int64, len(e.Postings))
		for _, p := range e.Postings {
			vals = append(vals, "(?, ?, ?, ?, ?)")
			args = append(args, e.ID, p.TerritoryID, p.AccountID, p.CurrencyID, p.Amount)
			delta[p.AccountID] += p.Amount
		}
		if _, err := s.q.Exec(ctx, `INSERT INTO ledger_postings (entry_id, territory_id, account_id, currency_id, amount) VALUES `+
			strings.Join(vals, ", "), args...); err != nil {
			return fmt.Errorf("insert postings: %w", err)
		}
		ids := make([]int64, 0, len(delta))
		for id := range delta {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			d := delta[id]
			if d == 0 {
				continue
			}
			res, err := s.q.Exec(ctx, guardedUpdate, d, id, d, d)
			if err != nil {
				if errs.KindOf(err) == errs.Invalid {
					return &GuardError{AccountID: id} // a CHECK caught what the guard did not
				}
				return fmt.Errorf("balance of %d: %w", id, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return &GuardError{AccountID: id}
			}
		}
		return nil
	})
}

func (s *SQLStore) Statement(ctx context.Context, territoryID, accountID int64, f StatementFilter) ([]Line, error) {
	var where strings.Builder
	args := []any{accountID, territoryID}
	if !f.From.IsZero() {
		where.WriteString(` AND e.created_at >= ?`)
		args = append(args, f.From)
	}
	if !f.To.IsZero() {
		where.WriteString(` AND e.created_at < ?`)
		args = append(args, f.To)
	}
	if f.Category != "" {
		where.WriteString(` AND e.category = ?`)
		args = append(args, f.Category)
	}
	if f.Kind != "" {
		where.WriteString(` AND e.kind = ?`)
		args = append(args, f.Kind)
	}
	if f.BeforeID > 0 {
		where.WriteString(` AND p.entry_id < ?`)
		args = append(args, f.BeforeID)
	}
	args = append(args, f.Limit)
	// The counterparty is the posting of the entry furthest on the other
	// side (the clearing account for a partner territory's member).
	rows, err := s.q.Query(ctx, `SELECT p.entry_id, e.kind, p.amount, e.reason, e.category, COALESCE(e.exchange_id, 0),
			COALESCE(e.listing_id, 0), COALESCE(e.reverses_id, 0),
			COALESCE((SELECT r.id FROM ledger_entries r WHERE r.reverses_id = e.id), 0), e.created_at,
			COALESCE(o.id, 0), COALESCE(o.owner_kind, ''), COALESCE(o.owner_id, 0)
		FROM ledger_postings p
		JOIN ledger_entries e ON e.id = p.entry_id
		LEFT JOIN ledger_accounts o ON o.id = (SELECT q.account_id FROM ledger_postings q
			WHERE q.entry_id = p.entry_id AND q.currency_id = p.currency_id AND q.account_id <> p.account_id
			ORDER BY q.amount * p.amount, q.id LIMIT 1)
		WHERE p.account_id = ? AND p.territory_id = ?`+where.String()+`
		ORDER BY p.entry_id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Line{}
	for rows.Next() {
		var l Line
		var p Party
		if err := rows.Scan(&l.EntryID, &l.Kind, &l.Amount, &l.Reason, &l.Category, &l.ExchangeID, &l.ListingID, &l.ReversesID,
			&l.ReversedBy, &l.CreatedAt, &p.AccountID, &p.OwnerKind, &p.OwnerID); err != nil {
			return nil, err
		}
		l.CreatedAt = l.CreatedAt.UTC()
		if p.AccountID != 0 {
			l.Counterparty = &p
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
