package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
)

// MemberData is what the ledger keeps about one member, for their right of
// access: their accounts, every posting on them, and the time-bank records
// they are part of. Other members appear only as ids. The journal itself
// stays when a member leaves: it is the territory's accounts.
type MemberData struct {
	Accounts []MemberAccount `json:"accounts"`
	Postings []MemberPosting `json:"postings"`
	Records  []MemberRecord  `json:"time_bank_records"`
}

// MemberAccount is one of the member's accounts.
type MemberAccount struct {
	ID          int64      `json:"id"`
	TerritoryID int64      `json:"territory_id"`
	Currency    string     `json:"currency"`
	Balance     int64      `json:"balance"`
	LowerLimit  *int64     `json:"lower_limit,omitempty"`
	UpperLimit  *int64     `json:"upper_limit,omitempty"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// MemberPosting is one movement on one of the member's accounts.
type MemberPosting struct {
	AccountID int64     `json:"account_id"`
	EntryID   int64     `json:"entry_id"`
	Kind      string    `json:"kind"`
	Amount    int64     `json:"amount"`
	Reason    string    `json:"reason,omitempty"`
	Category  string    `json:"category,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// MemberRecord is a time-bank record where the member gave or received.
type MemberRecord struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"territory_id"`
	ProviderID  int64     `json:"provider_id"`
	ReceiverID  int64     `json:"receiver_id"`
	Minutes     int64     `json:"minutes"`
	Category    string    `json:"category"`
	Description string    `json:"description,omitempty"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

// DataOf returns the actor's own ledger data; nobody may read another's.
func (s *Service) DataOf(ctx context.Context, actor access.Actor) (*MemberData, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	d, err := s.store.MemberData(ctx, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("ledger: data of member %d: %w", actor.UserID, err)
	}
	return d, nil
}

// MemberData reads one member's accounts, postings and records in every
// territory.
func (s *SQLStore) MemberData(ctx context.Context, userID int64) (*MemberData, error) {
	d := &MemberData{Accounts: []MemberAccount{}, Postings: []MemberPosting{}, Records: []MemberRecord{}}
	err := store.Collect(ctx, s.q, `SELECT a.id, a.territory_id, c.code, a.balance, a.lower_limit, a.upper_limit, a.closed_at, a.created_at
		FROM ledger_accounts a JOIN ledger_currencies c ON c.id = a.currency_id
		WHERE a.owner_kind = 'member' AND a.owner_id = ? ORDER BY a.id`, []any{userID}, func(sc store.Scanner) error {
		var m MemberAccount
		if err := sc.Scan(&m.ID, &m.TerritoryID, &m.Currency, &m.Balance, &m.LowerLimit, &m.UpperLimit, &m.ClosedAt, &m.CreatedAt); err != nil {
			return err
		}
		d.Accounts = append(d.Accounts, m)
		return nil
	})
	if err == nil {
		err = store.Collect(ctx, s.q, `SELECT p.account_id, e.id, e.kind, p.amount, e.reason, e.category, e.created_at
			FROM ledger_accounts a JOIN ledger_postings p ON p.account_id = a.id JOIN ledger_entries e ON e.id = p.entry_id
			WHERE a.owner_kind = 'member' AND a.owner_id = ? ORDER BY p.account_id, e.id`, []any{userID}, func(sc store.Scanner) error {
			var m MemberPosting
			if err := sc.Scan(&m.AccountID, &m.EntryID, &m.Kind, &m.Amount, &m.Reason, &m.Category, &m.CreatedAt); err != nil {
				return err
			}
			d.Postings = append(d.Postings, m)
			return nil
		})
	}
	if err == nil {
		err = store.Collect(ctx, s.q, `SELECT id, territory_id, provider_id, receiver_id, minutes, category, description, status, created_at
			FROM ledger_timebank WHERE provider_id = ? OR receiver_id = ? ORDER BY id`, []any{userID, userID}, func(sc store.Scanner) error {
			var m MemberRecord
			if err := sc.Scan(&m.ID, &m.TerritoryID, &m.ProviderID, &m.ReceiverID, &m.Minutes, &m.Category, &m.Description, &m.Status, &m.CreatedAt); err != nil {
				return err
			}
			d.Records = append(d.Records, m)
			return nil
		})
	}
	return d, err
}
