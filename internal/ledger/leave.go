package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// A member who deletes their account leaves the ledger: the journal stays
// (it is the territory's accounts), so their accounts must be settled
// first. Leave closes them all and, in the same transaction, refuses when
// one still holds a balance, naming each; the member settles by paying or
// being paid, or asks an administrator to settle it (Settle). Closing
// first means no transfer can slip in between the check and the deletion.

// Leave closes every ledger account of the actor, in every territory, or
// refuses with a Conflict listing the balances to settle first. Account
// deletion calls it inside its own transaction (account.Service.OnDelete),
// so a deletion that fails later reopens nothing by hand: it rolls back.
func (s *Service) Leave(ctx context.Context, actor access.Actor) error {
	if err := actor.RequireUser(); err != nil {
		return err
	}
	at := s.clock()
	err := s.store.WithTx(ctx, func(st Store) error {
		if _, err := st.CloseOwned(ctx, OwnerMember, actor.UserID, at); err != nil {
			return err
		}
		accs, err := st.OwnedEverywhere(ctx, OwnerMember, actor.UserID)
		if err != nil {
			return err
		}
		var owed []string
		for _, a := range accs {
			if a.Balance != 0 {
				owed = append(owed, s.balanceWhere(ctx, a))
			}
		}
		if len(owed) > 0 {
			return errs.E(errs.Conflict, "err.ledger.leave_balances", "Balances", strings.Join(owed, ", "))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ledger: leave %d: %w", actor.UserID, err)
	}
	return nil
}

// balanceWhere is "-2 h TIME (Lyon)" for a refusal message.
func (s *Service) balanceWhere(ctx context.Context, a *Account) string {
	out := FormatAmount(a.Balance, a.Currency, a.Decimals, "") + " " + a.Currency
	if s.territories != nil {
		if t, err := s.territories.ByID(ctx, a.TerritoryID); err == nil {
			out += " (" + t.Name + ")"
		}
	}
	return out
}

// Settle brings a member's or organisation's account back to zero through
// the territory's own account (its issuing account for the currency), for
// a member who leaves or has left: territory administrators only, with a
// reason. A closed account stays closed. An issued currency is settled by
// a redemption instead (euros go out with the units).
func (s *Service) Settle(ctx context.Context, actor access.Actor, ter *territory.Territory, accountID int64, reason string) (*Entry, error) {
	reason, err := adminWithReason(actor, ter, reason, "err.ledger.settle_reason")
	if err != nil {
		return nil, err
	}
	var out *Entry
	err = s.store.WithTx(ctx, func(st Store) error {
		a, err := st.Account(ctx, ter.ID, accountID)
		if err != nil {
			return err
		}
		if a.OwnerKind != OwnerMember && a.OwnerKind != OwnerOrganisation {
			return errs.E(errs.Invalid, "err.ledger.account_system")
		}
		cur, err := st.CurrencyByID(ctx, ter.ID, a.CurrencyID)
		if err != nil {
			return err
		}
		if cur.Kind == KindIssued {
			return errs.E(errs.Invalid, "err.ledger.settle_issued")
		}
		if a.Balance == 0 {
			return errs.E(errs.Conflict, "err.ledger.settle_nothing")
		}
		own, err := s.systemAccount(ctx, st, cur, OwnerIssuing, 0)
		if err != nil {
			return err
		}
		// The guarded UPDATE refuses a closed account: reopen it for this
		// entry only, inside the transaction.
		if a.ClosedAt != nil {
			if err := st.SetClosed(ctx, ter.ID, a.ID, nil); err != nil {
				return err
			}
		}
		e := &Entry{TerritoryID: ter.ID, Kind: EntryTransfer, Reason: reason, CreatedBy: actor.UserID, CreatedAt: s.clock(),
			Postings: []Posting{{AccountID: a.ID, TerritoryID: ter.ID, CurrencyID: cur.ID, Amount: -a.Balance},
				{AccountID: own.ID, TerritoryID: ter.ID, CurrencyID: cur.ID, Amount: a.Balance}}}
		if out, _, err = s.post(ctx, st, e); err != nil {
			return err
		}
		if a.ClosedAt != nil {
			return st.SetClosed(ctx, ter.ID, a.ID, a.ClosedAt)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: settle %d: %w", accountID, err)
	}
	s.log.InfoContext(ctx, "ledger: account settled", "territory", ter.Slug, "account", accountID, "entry", out.ID, "user", actor.UserID)
	return out, nil
}

func (s *SQLStore) CloseOwned(ctx context.Context, kind OwnerKind, ownerID int64, at time.Time) ([]int64, error) {
	var ids []int64
	err := s.write(ctx, func(s *SQLStore) error {
		ids = nil
		return store.Collect(ctx, s.q, `UPDATE ledger_accounts SET closed_at = ? WHERE owner_kind = ? AND owner_id = ? AND closed_at IS NULL
			RETURNING id`, []any{at, kind, ownerID}, func(sc store.Scanner) error {
			var id int64
			err := sc.Scan(&id)
			ids = append(ids, id)
			return err
		})
	})
	return ids, err
}

func (s *SQLStore) OwnedEverywhere(ctx context.Context, kind OwnerKind, ownerID int64) ([]*Account, error) {
	return s.accounts(ctx, `SELECT `+accountColumns+` FROM ledger_accounts a JOIN ledger_currencies c ON c.id = a.currency_id
		WHERE a.owner_kind = ? AND a.owner_id = ? ORDER BY a.territory_id, c.kind <> 'time', c.code`, kind, ownerID)
}
