package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// An issued currency is worth one euro a unit: a deposit of euros issues
// as many units from the issuing account, a merchant's redemption sends
// units back to it and pays euros out. The issuing account's debt is then
// always the units in circulation, and equals the euros held.

// unitsFor converts euro cents to units of cur; an amount that does not
// fall on a whole unit is refused, never rounded.
func unitsFor(cur *Currency, cents int64) (int64, error) {
	scaled := cents * pow10[cur.Decimals]
	if scaled%100 != 0 {
		return 0, errs.Fields([]errs.FieldError{{Field: "euros", Key: "err.ledger.too_many_decimals", Args: map[string]any{"Decimals": cur.Decimals}}})
	}
	return scaled / 100, nil
}

// DepositInput records euros taken in or paid out.
type DepositInput struct {
	Currency  string
	Account   string // account id or holder reference
	EuroCents int64
	Note      string
}

// Deposit issues units against euros received: administrators only.
func (s *Service) Deposit(ctx context.Context, actor access.Actor, ter *territory.Territory, in DepositInput) (*Deposit, error) {
	return s.moveIssued(ctx, actor, ter, in, EntryDeposit)
}

// Redeem takes a merchant's units back against euros paid out:
// administrators only.
func (s *Service) Redeem(ctx context.Context, actor access.Actor, ter *territory.Territory, in DepositInput) (*Deposit, error) {
	return s.moveIssued(ctx, actor, ter, in, EntryRedemption)
}

func (s *Service) moveIssued(ctx context.Context, actor access.Actor, ter *territory.Territory, in DepositInput, kind EntryKind) (*Deposit, error) {
	if err := actor.Require(ter.ID, access.Admin); err != nil {
		return nil, err
	}
	in.Note = strings.TrimSpace(in.Note)
	if err := checkReason(in.Note); err != nil {
		return nil, err
	}
	if in.EuroCents <= 0 || in.EuroCents > MaxAmount {
		return nil, errs.Fields([]errs.FieldError{{Field: "euros", Key: "err.ledger.amount_positive"}})
	}
	if err := s.checkRecipient(ctx, ter, in.Account); err != nil {
		return nil, err
	}
	var d *Deposit
	err := s.store.WithTx(ctx, func(st Store) error {
		cur, err := s.currency(ctx, st, ter.ID, in.Currency)
		if err != nil {
			return err
		}
		if cur.Kind != KindIssued {
			return errs.Fields([]errs.FieldError{{Field: "currency", Key: "err.ledger.not_issued"}})
		}
		units, err := unitsFor(cur, in.EuroCents)
		if err != nil {
			return err
		}
		holder, err := s.recipient(ctx, st, ter, cur, in.Account)
		if err != nil {
			return err
		}
		issuing, err := s.systemAccount(ctx, st, cur, OwnerIssuing, 0)
		if err != nil {
			return err
		}
		now := s.clock()
		sign := int64(1)
		if kind == EntryRedemption {
			sign = -1
		}
		e := &Entry{TerritoryID: ter.ID, Kind: kind, Reason: in.Note, CreatedBy: actor.UserID, CreatedAt: now,
			Postings: []Posting{
				{AccountID: issuing.ID, TerritoryID: ter.ID, CurrencyID: cur.ID, Amount: -sign * units},
				{AccountID: holder.ID, TerritoryID: ter.ID, CurrencyID: cur.ID, Amount: sign * units}}}
		if _, _, err := s.post(ctx, st, e); err != nil {
			return err
		}
		d = &Deposit{TerritoryID: ter.ID, CurrencyID: cur.ID, EntryID: e.ID, Kind: string(kind), EuroCents: in.EuroCents,
			Units: units, AccountID: holder.ID, Note: in.Note, CreatedBy: actor.UserID, CreatedAt: now}
		return st.InsertDeposit(ctx, d)
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: %s: %w", kind, err)
	}
	s.log.InfoContext(ctx, "ledger: "+string(kind), "territory", ter.Slug, "entry", d.EntryID, "cents", d.EuroCents, "user", actor.UserID)
	return d, nil
}

// BalanceSheet shows an issued currency's units in circulation against
// the euros deposited: administrators only.
func (s *Service) BalanceSheet(ctx context.Context, actor access.Actor, ter *territory.Territory, code string) (*BalanceSheet, error) {
	if err := actor.Require(ter.ID, access.Admin); err != nil {
		return nil, err
	}
	cur, err := s.currency(ctx, s.store, ter.ID, code)
	if err != nil {
		return nil, err
	}
	if cur.Kind != KindIssued {
		return nil, errs.E(errs.Invalid, "err.ledger.not_issued")
	}
	t, err := s.store.DepositTotals(ctx, ter.ID, cur.ID)
	if err != nil {
		return nil, err
	}
	bs := &BalanceSheet{Currency: cur, DepositedCents: t.DepositedCents, RedeemedCents: t.RedeemedCents,
		ReserveCents: t.DepositedCents - t.RedeemedCents, IssuedUnits: t.IssuedUnits, RedeemedUnits: t.RedeemedUnits}
	accs, err := s.store.AccountsOf(ctx, ter.ID, OwnerIssuing, 0)
	if err != nil {
		return nil, err
	}
	for _, a := range accs {
		if a.CurrencyID == cur.ID {
			bs.Circulation = -a.Balance
		}
	}
	if bs.Deposits, err = s.store.Deposits(ctx, ter.ID, cur.ID, 100); err != nil {
		return nil, err
	}
	return bs, nil
}

// Overview is the territory's ledger for its administrators: per
// currency, volume per month over a year, active accounts, circulation.
func (s *Service) Overview(ctx context.Context, actor access.Actor, ter *territory.Territory) (*Overview, error) {
	if err := actor.Require(ter.ID, access.Admin); err != nil {
		return nil, err
	}
	if _, err := s.currency(ctx, s.store, ter.ID, TimeCode); err != nil {
		return nil, err
	}
	now := s.clock()
	since := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -11, 0)
	return s.store.Overview(ctx, ter.ID, since)
}

// SetPartners makes two territories partners (or not): platform
// administrators only. Partners' members pay each other in TIME.
func (s *Service) SetPartners(ctx context.Context, actor access.Actor, a, b *territory.Territory, partners bool) error {
	if !actor.PlatformAdmin && !actor.System {
		return errs.E(errs.Forbidden, "err.ledger.platform_admin_only")
	}
	if a.ID == b.ID {
		return errs.E(errs.Invalid, "err.ledger.partner_self")
	}
	if partners {
		return s.store.AddPartners(ctx, a.ID, b.ID, s.clock())
	}
	return s.store.RemovePartners(ctx, a.ID, b.ID)
}

// Partners lists a territory's partners.
func (s *Service) Partners(ctx context.Context, ter *territory.Territory) ([]*territory.Territory, error) {
	ids, err := s.store.Partners(ctx, ter.ID)
	if err != nil {
		return nil, err
	}
	out := []*territory.Territory{}
	for _, id := range ids {
		if s.territories == nil {
			break
		}
		t, err := s.territories.ByID(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// VerifyResult is what Verify found.
type VerifyResult struct {
	Counts        VerifyCounts  `json:"counts"`
	Discrepancies []Discrepancy `json:"discrepancies"`
	Elapsed       time.Duration `json:"elapsed_ns"`
}

// OK reports a ledger where every balance matches the journal.
func (r *VerifyResult) OK() bool { return len(r.Discrepancies) == 0 }

// MaxReported bounds the discrepancies kept (all are counted).
const MaxReported = 1000

// Verify recomputes every balance from the journal, on the whole
// deployment (the command line's check).
func (s *Service) Verify(ctx context.Context) (*VerifyResult, error) {
	start := time.Now()
	res := &VerifyResult{Discrepancies: []Discrepancy{}}
	counts, err := s.store.Verify(ctx, func(d Discrepancy) {
		if len(res.Discrepancies) < MaxReported {
			res.Discrepancies = append(res.Discrepancies, d)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: verify: %w", err)
	}
	res.Counts, res.Elapsed = counts, time.Since(start)
	return res, nil
}
