package ledger

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// TransferInput is a payment from the actor to another holder.
type TransferInput struct {
	// To is an account id ("42"), or a holder: "member:7", "organisation:3".
	To string
	// ToTerritory is the slug of a partner territory whose member is paid
	// (TIME only); empty for this territory.
	ToTerritory string
	// From is empty for the actor's own account, or "organisation:3" for
	// an organisation the actor belongs to.
	From     string
	Currency string
	Amount   int64
	Reason   string
	Category string
	// IdemKey makes the request safe to repeat: the same key from the same
	// member moves units once and answers the same transfer.
	IdemKey string
}

// MaxIdemKey bounds an idempotency key.
const MaxIdemKey = 200

func (in *TransferInput) validate() error {
	in.Reason = strings.TrimSpace(in.Reason)
	var v errs.Validator
	v.Check(in.Amount > 0, "amount", "err.ledger.amount_positive")
	v.Check(in.Amount <= MaxAmount, "amount", "err.ledger.amount_too_large")
	v.Check(strings.TrimSpace(in.To) != "", "to", "err.required")
	v.Check(ValidCategory(in.Category), "category", "err.ledger.category_unknown")
	v.Check(len(in.IdemKey) <= MaxIdemKey, "idempotency_key", "err.too_long", "Max", MaxIdemKey)
	if err := checkReason(in.Reason); err != nil {
		return errors.Join(v.Err(), err)
	}
	return v.Err()
}

// Transfer pays another holder of the territory (or of a partner
// territory, in TIME) from the actor's account.
func (s *Service) Transfer(ctx context.Context, actor access.Actor, ter *territory.Territory, in TransferInput) (*Transfer, error) {
	if err := s.requireMember(actor, ter); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, mergeFields(err)
	}
	// Other modules are asked before the transaction: their reads must not
	// wait for a connection while this one holds its own.
	dest := ter
	if in.ToTerritory != "" && in.ToTerritory != ter.Slug {
		other, err := s.partner(ctx, ter, in.ToTerritory)
		if err != nil {
			return nil, err
		}
		dest = other
	}
	if err := s.checkRecipient(ctx, dest, in.To); err != nil {
		return nil, err
	}
	if err := s.checkPayer(ctx, actor, ter, in.From); err != nil {
		return nil, err
	}
	var out *Transfer
	learn := func() {}
	err := s.atomically(ctx, func(st Store) error {
		cur, err := s.currency(ctx, st, ter.ID, in.Currency)
		if err != nil {
			return err
		}
		from, err := s.payerAccount(ctx, st, actor, cur, in.From)
		if err != nil {
			return err
		}
		e := &Entry{TerritoryID: ter.ID, Kind: EntryTransfer, Reason: in.Reason, Category: in.Category,
			CreatedBy: actor.UserID, CreatedAt: s.clock()}
		if in.IdemKey != "" {
			e.IdemKey = "u" + strconv.FormatInt(actor.UserID, 10) + ":" + in.IdemKey
		}
		var to *Account
		if dest != ter {
			to, err = s.partnerPostings(ctx, st, ter, dest, cur, from, in, e)
		} else {
			to, err = s.recipient(ctx, st, ter, cur, in.To)
			if err == nil {
				e.Postings = []Posting{{AccountID: from.ID, TerritoryID: ter.ID, CurrencyID: cur.ID, Amount: -in.Amount},
					{AccountID: to.ID, TerritoryID: ter.ID, CurrencyID: cur.ID, Amount: in.Amount}}
			}
		}
		if err != nil {
			return err
		}
		if to.ID == from.ID {
			return errs.Fields([]errs.FieldError{{Field: "to", Key: "err.ledger.self_transfer"}})
		}
		got, replayed, err := s.post(ctx, st, e)
		if err != nil {
			return err
		}
		learn = func() { s.cache.learn(cur, from, to) }
		out = &Transfer{ID: got.ID, From: from.ID, To: to.ID, Currency: cur.Code, Amount: in.Amount, Reason: got.Reason,
			Category: got.Category, Created: got.CreatedAt, Replayed: replayed}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: transfer: %w", err)
	}
	if !store.HasTx(ctx) {
		learn() // committed: the currency and both accounts exist for good
	}
	if !out.Replayed {
		s.log.InfoContext(ctx, "ledger: transfer", "territory", ter.Slug, "entry", out.ID, "from", out.From, "to", out.To,
			"currency", out.Currency, "amount", out.Amount, "user", actor.UserID)
	}
	return out, nil
}

// checkPayer checks that the actor may pay from an organisation's account.
func (s *Service) checkPayer(ctx context.Context, actor access.Actor, ter *territory.Territory, from string) error {
	if from == "" {
		return nil
	}
	kind, id, err := parseRef(from)
	if err != nil || kind != OwnerOrganisation {
		return errs.Fields([]errs.FieldError{{Field: "from", Key: "err.ledger.account_ref"}})
	}
	return s.mayUseOrg(ctx, actor, ter, id, true)
}

// payerAccount is the actor's own account, or an organisation's (checked
// by checkPayer).
func (s *Service) payerAccount(ctx context.Context, st Store, actor access.Actor, cur *Currency, from string) (*Account, error) {
	if from == "" {
		return s.accountFor(ctx, st, cur, OwnerMember, actor.UserID)
	}
	_, id, err := parseRef(from)
	if err != nil {
		return nil, err
	}
	return s.accountFor(ctx, st, cur, OwnerOrganisation, id)
}

// checkRecipient asks the accounts module whether a holder reference
// names a member or organisation of the territory.
func (s *Service) checkRecipient(ctx context.Context, ter *territory.Territory, ref string) error {
	kind, id, err := parseRef(ref)
	if err != nil {
		return err
	}
	switch kind {
	case OwnerMember:
		return s.checkMember(ctx, ter.ID, id)
	case OwnerOrganisation:
		if s.members == nil {
			return errs.Fields([]errs.FieldError{{Field: "to", Key: "err.ledger.account_not_here"}})
		}
		if _, err := s.members.Organisation(ctx, ter.ID, id); err != nil {
			return errs.Fields([]errs.FieldError{{Field: "to", Key: "err.ledger.account_not_here"}})
		}
	}
	return nil
}

// recipient resolves a reference (checked by checkRecipient) to a
// holder's account in cur.
func (s *Service) recipient(ctx context.Context, st Store, ter *territory.Territory, cur *Currency, ref string) (*Account, error) {
	kind, id, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	if kind == "" {
		a := s.cache.account(id)
		if a == nil || a.TerritoryID != ter.ID {
			a, err = st.Account(ctx, ter.ID, id)
		}
		if errs.KindOf(err) == errs.NotFound {
			return nil, errs.Fields([]errs.FieldError{{Field: "to", Key: "err.ledger.account_not_here"}})
		}
		if err != nil {
			return nil, err
		}
		if a.CurrencyID != cur.ID {
			return nil, errs.Fields([]errs.FieldError{{Field: "to", Key: "err.ledger.currency_mismatch", Args: map[string]any{"Code": a.Currency}}})
		}
		if a.OwnerKind != OwnerMember && a.OwnerKind != OwnerOrganisation {
			return nil, errs.Fields([]errs.FieldError{{Field: "to", Key: "err.ledger.account_system"}})
		}
		return a, nil
	}
	return s.accountFor(ctx, st, cur, kind, id)
}

func (s *Service) checkMember(ctx context.Context, territoryID, userID int64) error {
	if s.members == nil {
		return nil
	}
	roles, err := s.members.Roles(ctx, userID)
	if err != nil {
		return err
	}
	if !roles[territoryID].AtLeast(access.Member) {
		return errs.Fields([]errs.FieldError{{Field: "to", Key: "err.ledger.not_member"}})
	}
	return nil
}

// partner returns the partner territory called slug, or an error.
func (s *Service) partner(ctx context.Context, ter *territory.Territory, slug string) (*territory.Territory, error) {
	bad := errs.Fields([]errs.FieldError{{Field: "to_territory", Key: "err.ledger.not_partners"}})
	if s.territories == nil {
		return nil, bad
	}
	other, err := s.territories.Get(ctx, slug)
	if err != nil {
		return nil, bad
	}
	partners, err := s.store.Partners(ctx, ter.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range partners {
		if p == other.ID {
			return other, nil
		}
	}
	return nil, bad
}

// partnerPostings routes a TIME payment to a member of a partner
// territory through both clearing accounts, in the same entry, so that
// each territory's TIME still sums to zero on its own.
func (s *Service) partnerPostings(ctx context.Context, st Store, ter, other *territory.Territory, cur *Currency, from *Account,
	in TransferInput, e *Entry) (*Account, error) {
	if cur.Kind != KindTime {
		return nil, errs.Fields([]errs.FieldError{{Field: "currency", Key: "err.ledger.partner_time_only"}})
	}
	cur2, err := s.currency(ctx, st, other.ID, TimeCode)
	if err != nil {
		return nil, err
	}
	to, err := s.recipient(ctx, st, other, cur2, in.To)
	if err != nil {
		return nil, err
	}
	out, err := s.systemAccount(ctx, st, cur, OwnerClearing, other.ID)
	if err != nil {
		return nil, err
	}
	in2, err := s.systemAccount(ctx, st, cur2, OwnerClearing, ter.ID)
	if err != nil {
		return nil, err
	}
	e.Kind = EntryPartner
	e.Postings = []Posting{
		{AccountID: from.ID, TerritoryID: ter.ID, CurrencyID: cur.ID, Amount: -in.Amount},
		{AccountID: out.ID, TerritoryID: ter.ID, CurrencyID: cur.ID, Amount: in.Amount},
		{AccountID: in2.ID, TerritoryID: other.ID, CurrencyID: cur2.ID, Amount: -in.Amount},
		{AccountID: to.ID, TerritoryID: other.ID, CurrencyID: cur2.ID, Amount: in.Amount},
	}
	return to, nil
}

// post writes entry e in st. With an idempotency key already used, it
// writes nothing and returns the first entry (replayed), provided it moved
// the same amounts between the same accounts.
func (s *Service) post(ctx context.Context, st Store, e *Entry) (*Entry, bool, error) {
	if err := balanced(e.Postings); err != nil {
		return nil, false, err
	}
	inserted, err := st.PostEntry(ctx, e)
	var g *GuardError
	if errors.As(err, &g) {
		return nil, false, s.explainGuard(ctx, st, e, g.AccountID)
	}
	if err != nil {
		return nil, false, err
	}
	if !inserted {
		prev, err := st.EntryByKey(ctx, e.TerritoryID, e.IdemKey)
		if err != nil {
			return nil, false, err
		}
		if !samePostings(prev.Postings, e.Postings) {
			return nil, false, errs.E(errs.Conflict, "err.ledger.idempotency_reused")
		}
		return prev, true, nil
	}
	return e, false, nil
}

// balanced refuses an entry that would create or destroy units: two
// postings at least, none zero, each currency summing to zero.
func balanced(ps []Posting) error {
	if len(ps) < 2 {
		return errors.New("ledger: an entry needs two postings")
	}
	sums := map[int64]int64{}
	for _, p := range ps {
		if p.Amount == 0 || p.AccountID == 0 || p.CurrencyID == 0 {
			return errors.New("ledger: empty posting")
		}
		sums[p.CurrencyID] += p.Amount
	}
	for cur, sum := range sums {
		if sum != 0 {
			return fmt.Errorf("ledger: postings of currency %d sum to %d", cur, sum)
		}
	}
	return nil
}

func samePostings(a, b []Posting) bool {
	key := func(ps []Posting) map[[2]int64]int {
		m := map[[2]int64]int{}
		for _, p := range ps {
			m[[2]int64{p.AccountID, p.Amount}]++
		}
		return m
	}
	ka, kb := key(a), key(b)
	if len(ka) != len(kb) {
		return false
	}
	for k, n := range ka {
		if kb[k] != n {
			return false
		}
	}
	return true
}

// explainGuard says why the guarded UPDATE refused an account's posting.
func (s *Service) explainGuard(ctx context.Context, st Store, e *Entry, accountID int64) error {
	var delta, territoryID int64
	for _, p := range e.Postings {
		if p.AccountID == accountID {
			delta += p.Amount
			territoryID = p.TerritoryID
		}
	}
	a, err := st.Account(ctx, territoryID, accountID)
	if err != nil {
		return fmt.Errorf("explain refusal of %d: %w", accountID, err)
	}
	fmtA := func(n int64) string { return FormatAmount(n, a.Currency, a.Decimals, "") }
	switch {
	case a.Closed() && delta < 0:
		return errs.E(errs.Conflict, "err.ledger.account_closed")
	case a.Closed():
		return errs.E(errs.Conflict, "err.ledger.recipient_closed")
	case delta < 0 && a.Lower != nil:
		return errs.E(errs.Conflict, "err.ledger.beyond_lower_limit", "Limit", fmtA(*a.Lower),
			"Available", fmtA(max(0, a.Balance-*a.Lower)), "Balance", fmtA(a.Balance))
	case delta > 0 && a.Upper != nil:
		return errs.E(errs.Conflict, "err.ledger.beyond_upper_limit", "Limit", fmtA(*a.Upper))
	}
	return errs.E(errs.Conflict, "err.ledger.refused")
}

// Check is what a transfer would do to the payer's account.
type Check struct {
	Account *Account `json:"account"`
	After   int64    `json:"balance_after"`
	// Near warns that the transfer takes the account close to its limit.
	Near bool `json:"near_limit"`
	// Refused: the transfer would pass the limit and will be refused.
	Refused bool `json:"beyond_limit"`
}

// NearShare is how close to the lower limit warns: within a fifth of the
// credit (and at least an hour for TIME).
const NearShare = 5

// Preview says what paying amount would leave on the paying account (the
// actor's, or with from "organisation:ID" an organisation's the actor
// may pay from), so that the form can warn before it nears its limit.
func (s *Service) Preview(ctx context.Context, actor access.Actor, ter *territory.Territory, from, code string, amount int64) (*Check, error) {
	if from == "" {
		a, err := s.MyAccount(ctx, actor, ter, code)
		if err != nil {
			return nil, err
		}
		return preview(a, amount), nil
	}
	if err := s.requireMember(actor, ter); err != nil {
		return nil, err
	}
	if err := s.checkPayer(ctx, actor, ter, from); err != nil {
		return nil, err
	}
	_, id, _ := parseRef(from)
	a, err := s.openAccount(ctx, ter, code, OwnerOrganisation, id)
	if err != nil {
		return nil, err
	}
	return preview(a, amount), nil
}

func preview(a *Account, amount int64) *Check {
	c := &Check{Account: a, After: a.Balance - amount}
	if a.Lower == nil {
		return c
	}
	margin := -*a.Lower / NearShare
	if a.Currency == TimeCode {
		margin = max(margin, 60)
	}
	c.Refused = c.After < *a.Lower
	c.Near = !c.Refused && c.After < *a.Lower+margin
	return c
}

// Reverse undoes an entry with a new entry of opposite postings: the
// journal is never edited. Administrators only, with a reason; an entry
// is reversed once.
func (s *Service) Reverse(ctx context.Context, actor access.Actor, ter *territory.Territory, entryID int64, reason string) (*Entry, error) {
	reason, err := adminWithReason(actor, ter, reason, "err.ledger.reverse_reason")
	if err != nil {
		return nil, err
	}
	var out *Entry
	err = s.store.WithTx(ctx, func(st Store) error {
		var err error
		out, err = s.reverse(ctx, st, ter, entryID, reason, actor.UserID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: reverse %d: %w", entryID, err)
	}
	s.log.InfoContext(ctx, "ledger: entry reversed", "territory", ter.Slug, "entry", entryID, "reversal", out.ID, "user", actor.UserID)
	return out, nil
}

// adminWithReason checks an administrator's correction: the actor
// administers ter and gives a reason (missing: the field error key).
func adminWithReason(actor access.Actor, ter *territory.Territory, reason, key string) (string, error) {
	if err := actor.Require(ter.ID, access.Admin); err != nil {
		return "", err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", errs.Fields([]errs.FieldError{{Field: "reason", Key: key}})
	}
	return reason, checkReason(reason)
}

// Reversible says whether entries of kind may be reversed: deposits and
// redemptions move euros too, and a reversal is not itself reversed (the
// original is reversed once).
func Reversible(kind EntryKind) bool {
	return kind != EntryDeposit && kind != EntryRedemption && kind != EntryReversal
}

func (s *Service) reverse(ctx context.Context, st Store, ter *territory.Territory, entryID int64, reason string, by int64) (*Entry, error) {
	orig, err := st.Entry(ctx, ter.ID, entryID)
	if err != nil {
		return nil, err
	}
	if orig.Kind == EntryReversal {
		return nil, errs.E(errs.Invalid, "err.ledger.reverse_reversal")
	}
	if !Reversible(orig.Kind) {
		return nil, errs.E(errs.Invalid, "err.ledger.reverse_deposit")
	}
	e := &Entry{TerritoryID: ter.ID, Kind: EntryReversal, Reason: reason, Category: orig.Category, ExchangeID: orig.ExchangeID,
		ListingID: orig.ListingID, ReversesID: orig.ID, CreatedBy: by, CreatedAt: s.clock()}
	for _, p := range orig.Postings {
		p.Amount = -p.Amount
		e.Postings = append(e.Postings, p)
	}
	got, _, err := s.post(ctx, st, e)
	return got, err
}

// mergeFields joins validation errors into one Invalid with all fields.
func mergeFields(err error) error {
	var fields []errs.FieldError
	var walk func(error) error
	walk = func(err error) error {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				if other := walk(e); other != nil {
					return other
				}
			}
			return nil
		}
		if e, ok := errs.As(err); ok && e.Kind == errs.Invalid && len(e.Fields) > 0 {
			fields = append(fields, e.Fields...)
			return nil
		}
		return err
	}
	if other := walk(err); other != nil {
		return other
	}
	return errs.Fields(fields)
}
