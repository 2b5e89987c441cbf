package ledger

import (
	"context"
	"database/sql"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

func pgMonthExpr(col string) string {
	return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM')"
}

const pgPost = `SELECT out_entry, out_refused FROM ledger_post(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// postEntryPG is PostEntry as one call of ledger_post (migration 00014):
// outside a transaction it commits on its own, one round trip.
func (s *SQLStore) postEntryPG(ctx context.Context, e *Entry) (bool, error) {
	n := len(e.Postings)
	accounts, territories, currencies, amounts := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	for i, p := range e.Postings {
		accounts[i], territories[i], currencies[i], amounts[i] = p.AccountID, p.TerritoryID, p.CurrencyID, p.Amount
	}
	args := []any{e.TerritoryID, e.Kind, e.Reason, e.Category, nullStr(e.IdemKey), nullInt(e.ExchangeID), nullInt(e.ListingID),
		nullInt(e.ReversesID), e.CreatedBy, e.CreatedAt, accounts, territories, currencies, amounts}
	var entry sql.NullInt64
	var refused int64
	var err error
	if s.inTx || store.HasTx(ctx) {
		err = s.write(ctx, func(s *SQLStore) error { return s.q.QueryRow(ctx, pgPost, args...).Scan(&entry, &refused) })
	} else {
		err = s.db.QueryRowW(ctx, pgPost, args...).Scan(&entry, &refused)
	}
	switch {
	case store.IsUniqueViolation(err) && e.ReversesID != 0:
		return false, errs.Wrap(errs.Conflict, "err.ledger.already_reversed", err)
	case err != nil:
		return false, err
	case refused != 0:
		return false, &GuardError{AccountID: refused}
	case !entry.Valid:
		return false, nil
	}
	e.ID = entry.Int64
	return true, nil
}
