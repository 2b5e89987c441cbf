package ledger

import (
	"context"
	"time"
)

// Store is what the service needs from the database. Every method filters
// by territory, except the platform-wide partners and Verify.
type Store interface {
	// WithTx runs fn with a Store bound to one transaction; inside one
	// (also another module's, carried in ctx) it joins it.
	WithTx(ctx context.Context, fn func(tx Store) error) error
	// Batched runs fn in a transaction shared with concurrent callers
	// where the database gains from it (store.DB.Batched), each in its own
	// savepoint; inside a transaction it joins it.
	Batched(ctx context.Context, fn func(tx Store) error) error

	Currency(ctx context.Context, territoryID int64, code string) (*Currency, error)
	CurrencyByID(ctx context.Context, territoryID, id int64) (*Currency, error)
	Currencies(ctx context.Context, territoryID int64) ([]*Currency, error)
	// InsertCurrency writes c; with ignoreDup, an existing code is no error
	// (c.ID stays 0).
	InsertCurrency(ctx context.Context, c *Currency, ignoreDup bool) error

	// EnsureAccount returns the account of an owner in a currency,
	// creating it with the given limits on first use.
	EnsureAccount(ctx context.Context, cur *Currency, kind OwnerKind, ownerID int64, lower, upper *int64, now time.Time) (*Account, error)
	Account(ctx context.Context, territoryID, id int64) (*Account, error)
	// AccountsOf lists an owner's accounts, currency code order.
	AccountsOf(ctx context.Context, territoryID int64, kind OwnerKind, ownerID int64) ([]*Account, error)
	// AccountsIn lists a currency's accounts by id, after afterID.
	AccountsIn(ctx context.Context, territoryID, currencyID, afterID int64, limit int) ([]*Account, error)
	SetLimits(ctx context.Context, territoryID, id int64, lower, upper *int64) error
	SetClosed(ctx context.Context, territoryID, id int64, at *time.Time) error
	// CloseOwned closes an owner's open accounts in every territory and
	// returns their ids; OwnedEverywhere lists them.
	CloseOwned(ctx context.Context, kind OwnerKind, ownerID int64, at time.Time) ([]int64, error)
	OwnedEverywhere(ctx context.Context, kind OwnerKind, ownerID int64) ([]*Account, error)

	// PostEntry writes e, its postings and the balances they move, each
	// account's with a guarded UPDATE in increasing account id order (so
	// that concurrent entries lock rows in the same order), all or
	// nothing. With e's idempotency key already taken it writes nothing
	// and returns false. It returns a *GuardError naming the first account
	// that would pass a limit or is closed. On PostgreSQL it is one call
	// of ledger_post (migration 00014): one round trip.
	PostEntry(ctx context.Context, e *Entry) (bool, error)
	// Direct runs fn for work whose writes each hold on their own (first
	// use of a currency or an account, then one PostEntry): on PostgreSQL
	// without a transaction, so that a transfer is one round trip and one
	// commit; on SQLite it is Batched; inside a transaction it joins it.
	Direct(ctx context.Context, fn func(st Store) error) error
	EntryByKey(ctx context.Context, territoryID int64, key string) (*Entry, error)
	Entry(ctx context.Context, territoryID, id int64) (*Entry, error)
	Statement(ctx context.Context, territoryID, accountID int64, f StatementFilter) ([]Line, error)

	InsertDeposit(ctx context.Context, d *Deposit) error
	Deposits(ctx context.Context, territoryID, currencyID int64, limit int) ([]Deposit, error)
	DepositTotals(ctx context.Context, territoryID, currencyID int64) (DepositTotals, error)

	InsertRecord(ctx context.Context, r *Record) error
	Record(ctx context.Context, territoryID, id int64, forUpdate bool) (*Record, error)
	// UpdateRecord saves r if its status is still from; Conflict otherwise.
	UpdateRecord(ctx context.Context, r *Record, from RecordStatus) error
	RecordsOf(ctx context.Context, territoryID, userID int64, limit int) ([]*Record, error)
	RecordsIn(ctx context.Context, territoryID int64, status RecordStatus, limit int) ([]*Record, error)

	AddPartners(ctx context.Context, a, b int64, now time.Time) error
	RemovePartners(ctx context.Context, a, b int64) error
	Partners(ctx context.Context, territoryID int64) ([]int64, error)

	SetPrice(ctx context.Context, p *Price) error
	DeletePrice(ctx context.Context, territoryID, listingID int64) error
	Price(ctx context.Context, territoryID, listingID int64) (*Price, error)

	Overview(ctx context.Context, territoryID int64, since time.Time) (*Overview, error)

	// Settings returns a territory's settings, NotFound before any is set.
	Settings(ctx context.Context, territoryID int64) (*Settings, error)
	SetSettings(ctx context.Context, territoryID int64, st Settings, by int64, at time.Time) error

	// Verify recomputes every balance from the postings, checks that each
	// entry sums to zero per currency and each currency sums to zero,
	// streaming one aggregate query per check.
	Verify(ctx context.Context, report func(Discrepancy)) (VerifyCounts, error)

	// MemberData reads one member's accounts, postings and records, everywhere.
	MemberData(ctx context.Context, userID int64) (*MemberData, error)
}

// GuardError says which account refused a posting.
type GuardError struct{ AccountID int64 }

func (e *GuardError) Error() string { return "ledger: account refused the posting" }
