package ledger

import (
	"sync"
)

// cache keeps what never changes once committed: a currency's row (by
// territory and code) and an account's identity (id, territory, currency,
// holder). Balances, limits and closing are never cached: the guarded
// UPDATE reads them in the transaction. Entries are added only after the
// transaction that read them committed, so a rolled-back insert is never
// remembered. Each instance has its own; none needs invalidating.
type cache struct {
	mu       sync.RWMutex
	curs     map[curKey]*Currency
	byOwner  map[ownerKey]*Account
	accounts map[int64]*Account
}

type curKey struct {
	territoryID int64
	code        string
}

type ownerKey struct {
	currencyID int64
	kind       OwnerKind
	ownerID    int64
}

// maxCached bounds each map: past it, the map starts again empty.
const maxCached = 200_000

func newCache() *cache {
	return &cache{curs: map[curKey]*Currency{}, byOwner: map[ownerKey]*Account{}, accounts: map[int64]*Account{}}
}

func (c *cache) currency(territoryID int64, code string) *Currency {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.curs[curKey{territoryID, code}]
}

func (c *cache) owner(currencyID int64, kind OwnerKind, ownerID int64) *Account {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.byOwner[ownerKey{currencyID, kind, ownerID}]
}

func (c *cache) account(id int64) *Account {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.accounts[id]
}

// learn remembers committed currencies and accounts (identity only).
func (c *cache) learn(cur *Currency, accs ...*Account) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.curs) > maxCached {
		c.curs = map[curKey]*Currency{}
	}
	if len(c.byOwner) > maxCached {
		c.byOwner, c.accounts = map[ownerKey]*Account{}, map[int64]*Account{}
	}
	if cur != nil {
		cp := *cur
		c.curs[curKey{cur.TerritoryID, cur.Code}] = &cp
	}
	for _, a := range accs {
		if a == nil || a.ID == 0 {
			continue
		}
		id := &Account{ID: a.ID, TerritoryID: a.TerritoryID, CurrencyID: a.CurrencyID, Currency: a.Currency,
			Decimals: a.Decimals, OwnerKind: a.OwnerKind, OwnerID: a.OwnerID}
		c.byOwner[ownerKey{a.CurrencyID, a.OwnerKind, a.OwnerID}] = id
		c.accounts[a.ID] = id
	}
}
