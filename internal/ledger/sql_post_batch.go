package ledger

import (
	"database/sql"
	"errors"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
)

// Group commit on PostgreSQL (store.Group), as for bookings: a transfer
// outside a transaction is one ledger_post, but each pays its own commit
// and round trip. Transfers that arrive while others are being written go
// together in one ledger_post_many (migration 00024): each entry is still
// checked, and refused alone, by ledger_post; the batch locks its accounts
// in id order first, so batches never deadlock each other; a batch that
// fails as a whole is posted one by one.
const (
	// maxPostBatch bounds the entries of one ledger_post_many. Each
	// ledger_post is a subtransaction: PostgreSQL caches 64 per transaction
	// before every snapshot gets slower.
	maxPostBatch = 32
	// maxPostWriters bounds the batches in flight (each holds one
	// connection until its commit).
	maxPostWriters = 4
)

// posting is a PostEntry waiting in the group: its entry and whether it
// was inserted.
type posting struct {
	e        *Entry
	inserted bool
}

func (s *SQLStore) newPostGroup() *store.Group[*posting] {
	return store.NewGroup(s.db, store.GroupConfig{MaxBatch: maxPostBatch, Writers: maxPostWriters}, s.postMany, func(c store.Call[*posting]) error {
		var err error
		c.Item.inserted, err = s.postEntryPG(c.Ctx, c.Item.e)
		return err
	})
}

// postMany posts calls' entries with one ledger_post_many.
func (s *SQLStore) postMany(calls []store.Call[*posting]) ([]error, error) {
	n := len(calls)
	ter, exch, list, rev, by := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	kind, reason, cat, idem := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	at := make([]time.Time, n)
	lo, hi := make([]int32, n), make([]int32, n)
	var accounts, territories, currencies, amounts []int64
	for i, c := range calls {
		e := c.Item.e
		ter[i], exch[i], list[i], rev[i], by[i] = e.TerritoryID, e.ExchangeID, e.ListingID, e.ReversesID, e.CreatedBy
		kind[i], reason[i], cat[i], idem[i], at[i] = string(e.Kind), e.Reason, e.Category, e.IdemKey, e.CreatedAt
		lo[i] = int32(len(accounts) + 1)
		for _, p := range e.Postings {
			accounts, territories = append(accounts, p.AccountID), append(territories, p.TerritoryID)
			currencies, amounts = append(currencies, p.CurrencyID), append(amounts, p.Amount)
		}
		hi[i] = int32(len(accounts))
	}
	rows, err := s.db.Query(calls[0].Ctx, `SELECT k, out_entry, out_refused FROM ledger_post_many(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ter, kind, reason, cat, idem, exch, list, rev, by, at, lo, hi, accounts, territories, currencies, amounts)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// Once rows come back the statement may have committed: from here on
	// an error is each caller's, never a reason to post again.
	out := make([]error, n)
	for i := range out {
		out[i] = errNoAnswer
	}
	for rows.Next() {
		var k int
		var entry sql.NullInt64
		var refused int64
		if err := rows.Scan(&k, &entry, &refused); err != nil {
			return fill(out, err), nil
		}
		if k >= 1 && k <= n {
			c := calls[k-1].Item
			c.inserted, out[k-1] = postAnswer(c.e, entry, refused, nil)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err // the server stopped the statement: nothing was written
	}
	return out, nil
}

var errNoAnswer = errors.New("ledger: ledger_post_many gave no answer for an entry")

// fill sets every result not yet known to err.
func fill(out []error, err error) []error {
	for i := range out {
		if out[i] == errNoAnswer {
			out[i] = err
		}
	}
	return out
}
