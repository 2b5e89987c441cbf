package ledger

import (
	"context"
	"database/sql"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

func (s *SQLStore) InsertDeposit(ctx context.Context, d *Deposit) error {
	return s.write(ctx, func(s *SQLStore) error {
		return s.q.QueryRow(ctx, `INSERT INTO ledger_deposits (territory_id, currency_id, entry_id, kind, euro_cents, units, account_id,
			note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.TerritoryID, d.CurrencyID, d.EntryID, d.Kind, d.EuroCents, d.Units, d.AccountID, d.Note, d.CreatedBy, d.CreatedAt).Scan(&d.ID)
	})
}

func (s *SQLStore) Deposits(ctx context.Context, territoryID, currencyID int64, limit int) ([]Deposit, error) {
	rows, err := s.q.Query(ctx, `SELECT id, territory_id, currency_id, entry_id, kind, euro_cents, units, account_id, note, created_by, created_at
		FROM ledger_deposits WHERE territory_id = ? AND currency_id = ? ORDER BY id DESC LIMIT ?`, territoryID, currencyID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Deposit{}
	for rows.Next() {
		var d Deposit
		if err := rows.Scan(&d.ID, &d.TerritoryID, &d.CurrencyID, &d.EntryID, &d.Kind, &d.EuroCents, &d.Units, &d.AccountID, &d.Note,
			&d.CreatedBy, &d.CreatedAt); err != nil {
			return nil, err
		}
		d.CreatedAt = d.CreatedAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *SQLStore) DepositTotals(ctx context.Context, territoryID, currencyID int64) (DepositTotals, error) {
	var t DepositTotals
	err := s.q.QueryRow(ctx, `SELECT
			COALESCE(SUM(CASE WHEN kind = 'deposit' THEN euro_cents ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN kind = 'redemption' THEN euro_cents ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN kind = 'deposit' THEN units ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN kind = 'redemption' THEN units ELSE 0 END), 0)
		FROM ledger_deposits WHERE territory_id = ? AND currency_id = ?`, territoryID, currencyID).
		Scan(&t.DepositedCents, &t.RedeemedCents, &t.IssuedUnits, &t.RedeemedUnits)
	return t, err
}

const recordColumns = `id, territory_id, provider_id, receiver_id, minutes, category, description, recorded_by, status,
	COALESCE(entry_id, 0), COALESCE(reversal_id, 0), dispute_until, disputed_by, dispute_reason, resolved_by, resolution,
	created_at, updated_at`

func scanRecord(sc store.Scanner) (*Record, error) {
	var r Record
	var until sql.NullTime
	if err := sc.Scan(&r.ID, &r.TerritoryID, &r.ProviderID, &r.ReceiverID, &r.Minutes, &r.Category, &r.Description, &r.RecordedBy,
		&r.Status, &r.EntryID, &r.ReversalID, &until, &r.DisputedBy, &r.DisputeReason, &r.ResolvedBy, &r.Resolution,
		&r.CreatedAt, &r.UpdatedAt); err != nil {
		return nil, store.NotFound(err, "err.ledger.record_unknown")
	}
	if until.Valid {
		t := until.Time.UTC()
		r.DisputeUntil = &t
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

func (s *SQLStore) records(ctx context.Context, q string, args ...any) ([]*Record, error) {
	rows, err := s.q.Query(ctx, `SELECT `+recordColumns+` FROM ledger_timebank WHERE `+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Record{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *SQLStore) InsertRecord(ctx context.Context, r *Record) error {
	return s.write(ctx, func(s *SQLStore) error {
		return s.q.QueryRow(ctx, `INSERT INTO ledger_timebank (territory_id, provider_id, receiver_id, minutes, category, description,
			recorded_by, status, entry_id, dispute_until, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.TerritoryID, r.ProviderID, r.ReceiverID, r.Minutes, r.Category, r.Description, r.RecordedBy, r.Status,
			nullInt(r.EntryID), r.DisputeUntil, r.CreatedAt, r.UpdatedAt).Scan(&r.ID)
	})
}

func (s *SQLStore) Record(ctx context.Context, territoryID, id int64, forUpdate bool) (*Record, error) {
	q := `SELECT ` + recordColumns + ` FROM ledger_timebank WHERE territory_id = ? AND id = ?`
	if forUpdate && s.postgres() {
		q += ` FOR UPDATE`
	}
	return scanRecord(s.q.QueryRow(ctx, q, territoryID, id))
}

func (s *SQLStore) UpdateRecord(ctx context.Context, r *Record, from RecordStatus) error {
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE ledger_timebank SET status = ?, entry_id = ?, reversal_id = ?, dispute_until = ?,
			disputed_by = ?, dispute_reason = ?, resolved_by = ?, resolution = ?, updated_at = ?
			WHERE territory_id = ? AND id = ? AND status = ?`,
			r.Status, nullInt(r.EntryID), nullInt(r.ReversalID), r.DisputeUntil, r.DisputedBy, r.DisputeReason, r.ResolvedBy,
			r.Resolution, r.UpdatedAt, r.TerritoryID, r.ID, from)
		if err := affected(res, err, "err.ledger.record_unknown"); err != nil {
			if errs.KindOf(err) == errs.NotFound {
				return errs.E(errs.Conflict, "err.ledger.record_changed")
			}
			return err
		}
		return nil
	})
}

func (s *SQLStore) RecordsOf(ctx context.Context, territoryID, userID int64, limit int) ([]*Record, error) {
	return s.records(ctx, `territory_id = ? AND (provider_id = ? OR receiver_id = ?) ORDER BY id DESC LIMIT ?`, territoryID, userID, userID, limit)
}

func (s *SQLStore) RecordsIn(ctx context.Context, territoryID int64, status RecordStatus, limit int) ([]*Record, error) {
	return s.records(ctx, `territory_id = ? AND status = ? ORDER BY id LIMIT ?`, territoryID, status, limit)
}

func pair(a, b int64) (int64, int64) {
	if a > b {
		return b, a
	}
	return a, b
}

func (s *SQLStore) AddPartners(ctx context.Context, a, b int64, now time.Time) error {
	a, b = pair(a, b)
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `INSERT INTO ledger_partners (territory_a, territory_b, created_at) VALUES (?, ?, ?)
			ON CONFLICT (territory_a, territory_b) DO NOTHING`, a, b, now)
		return err
	})
}

func (s *SQLStore) RemovePartners(ctx context.Context, a, b int64) error {
	a, b = pair(a, b)
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `DELETE FROM ledger_partners WHERE territory_a = ? AND territory_b = ?`, a, b)
		return affected(res, err, "err.ledger.not_partners")
	})
}

func (s *SQLStore) Partners(ctx context.Context, territoryID int64) ([]int64, error) {
	rows, err := s.q.Query(ctx, `SELECT territory_b FROM ledger_partners WHERE territory_a = ?
		UNION SELECT territory_a FROM ledger_partners WHERE territory_b = ? ORDER BY 1`, territoryID, territoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s *SQLStore) SetPrice(ctx context.Context, p *Price) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `INSERT INTO ledger_prices (territory_id, listing_id, currency_id, amount, payer, category, set_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (territory_id, listing_id) DO UPDATE SET currency_id = excluded.currency_id,
			amount = excluded.amount, payer = excluded.payer, category = excluded.category, set_by = excluded.set_by,
			updated_at = excluded.updated_at`,
			p.TerritoryID, p.ListingID, p.CurrencyID, p.Amount, p.Payer, p.Category, p.SetBy, p.UpdatedAt)
		return err
	})
}

func (s *SQLStore) DeletePrice(ctx context.Context, territoryID, listingID int64) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `DELETE FROM ledger_prices WHERE territory_id = ? AND listing_id = ?`, territoryID, listingID)
		return err
	})
}

func (s *SQLStore) Price(ctx context.Context, territoryID, listingID int64) (*Price, error) {
	var p Price
	err := s.q.QueryRow(ctx, `SELECT p.territory_id, p.listing_id, p.currency_id, c.code, p.amount, p.payer, p.category, p.set_by, p.updated_at
		FROM ledger_prices p JOIN ledger_currencies c ON c.id = p.currency_id WHERE p.territory_id = ? AND p.listing_id = ?`,
		territoryID, listingID).Scan(&p.TerritoryID, &p.ListingID, &p.CurrencyID, &p.Currency, &p.Amount, &p.Payer, &p.Category,
		&p.SetBy, &p.UpdatedAt)
	if err != nil {
		return nil, store.NotFound(err, "err.ledger.no_price")
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	return &p, nil
}
