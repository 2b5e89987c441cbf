package ledger

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Members is what the ledger asks the accounts module: who belongs where.
type Members interface {
	Roles(ctx context.Context, userID int64) (map[int64]access.Role, error)
	User(ctx context.Context, id int64) (*account.User, error)
	UserByEmail(ctx context.Context, email string) (*account.User, error)
	Organisation(ctx context.Context, territoryID, id int64) (*account.Organisation, error)
	// OrgRole is "admin", "member", or "" when the user does not belong.
	OrgRole(ctx context.Context, orgID, userID int64) (string, error)
}

// Territories finds partner territories.
type Territories interface {
	Get(ctx context.Context, slug string) (*territory.Territory, error)
	ByID(ctx context.Context, id int64) (*territory.Territory, error)
}

// Service holds every rule of the ledger: who may pay, see and correct
// what, and how units move.
type Service struct {
	store       Store
	members     Members
	territories Territories
	log         *slog.Logger
	now         func() time.Time
	cache       *cache
}

// DisputeDelay is how long after hours move either side may dispute them,
// until the territory's administrators choose another (Settings).
const DisputeDelay = 14 * 24 * time.Hour

// NewService returns the ledger service. members and territories may be
// nil in tests that need neither.
func NewService(st Store, members Members, territories Territories, log *slog.Logger, now func() time.Time) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, members: members, territories: territories, log: log, now: now, cache: newCache()}
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// currency finds a currency by code; TIME is created on first use, so a
// territory needs no set-up (and the ledger never touches its tables).
func (s *Service) currency(ctx context.Context, st Store, territoryID int64, code string) (*Currency, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return nil, errs.E(errs.Invalid, "err.ledger.currency_required")
	}
	if c := s.cache.currency(territoryID, code); c != nil {
		return c, nil
	}
	c, err := st.Currency(ctx, territoryID, code)
	if err == nil || code != TimeCode || errs.KindOf(err) != errs.NotFound {
		if errs.KindOf(err) == errs.NotFound {
			return nil, errs.E(errs.Invalid, "err.ledger.currency_unknown", "Code", code)
		}
		return c, err
	}
	tc := &Currency{TerritoryID: territoryID, Code: TimeCode, Name: "Temps", Decimals: 0, Kind: KindTime,
		DefaultLower: TimeDefaultLower, CreatedAt: s.clock()}
	if err := st.InsertCurrency(ctx, tc, true); err != nil {
		return nil, fmt.Errorf("ledger: create TIME: %w", err)
	}
	return st.Currency(ctx, territoryID, TimeCode)
}

// Currencies lists a territory's currencies, TIME first. Public.
func (s *Service) Currencies(ctx context.Context, ter *territory.Territory) ([]*Currency, error) {
	if _, err := s.currency(ctx, s.store, ter.ID, TimeCode); err != nil {
		return nil, err
	}
	return s.store.Currencies(ctx, ter.ID)
}

// Currency returns one currency of the territory.
func (s *Service) Currency(ctx context.Context, ter *territory.Territory, code string) (*Currency, error) {
	return s.currency(ctx, s.store, ter.ID, code)
}

// CreateCurrency adds a local currency: territory administrators only.
func (s *Service) CreateCurrency(ctx context.Context, actor access.Actor, ter *territory.Territory, c *Currency) error {
	if err := actor.Require(ter.ID, access.Admin); err != nil {
		return err
	}
	if c.Kind == KindTime {
		return errs.Fields([]errs.FieldError{{Field: "kind", Key: "err.ledger.currency_kind"}})
	}
	if c.Kind == KindIssued {
		c.DefaultLower = 0
	}
	if err := c.Validate(); err != nil {
		return err
	}
	c.ID, c.TerritoryID, c.CreatedAt = 0, ter.ID, s.clock()
	if err := s.store.InsertCurrency(ctx, c, false); err != nil {
		if errs.KindOf(err) == errs.Conflict {
			return errs.Wrap(errs.Conflict, "err.ledger.currency_exists", err)
		}
		return fmt.Errorf("ledger: create currency %s: %w", c.Code, err)
	}
	s.log.InfoContext(ctx, "ledger: currency created", "territory", ter.Slug, "code", c.Code, "kind", c.Kind, "user", actor.UserID)
	return nil
}

// accountFor is holderAccount for postings: once an account is known to
// exist, its identity comes from the cache, without its balance.
func (s *Service) accountFor(ctx context.Context, st Store, cur *Currency, kind OwnerKind, ownerID int64) (*Account, error) {
	if a := s.cache.owner(cur.ID, kind, ownerID); a != nil {
		return a, nil
	}
	return s.holderAccount(ctx, st, cur, kind, ownerID)
}

// holderAccount returns a member's or organisation's account, created on
// first use with the currency's default limits.
func (s *Service) holderAccount(ctx context.Context, st Store, cur *Currency, kind OwnerKind, ownerID int64) (*Account, error) {
	lower := cur.DefaultLower
	return st.EnsureAccount(ctx, cur, kind, ownerID, &lower, cur.DefaultUpper, s.clock())
}

func (s *Service) systemAccount(ctx context.Context, st Store, cur *Currency, kind OwnerKind, ownerID int64) (*Account, error) {
	return st.EnsureAccount(ctx, cur, kind, ownerID, nil, nil, s.clock())
}

// MyAccounts lists the actor's accounts in the territory; the TIME account
// is opened on the first look, so a new member sees their starting limit.
func (s *Service) MyAccounts(ctx context.Context, actor access.Actor, ter *territory.Territory) ([]*Account, error) {
	if err := s.requireMember(actor, ter); err != nil {
		return nil, err
	}
	if _, err := s.openAccount(ctx, ter, TimeCode, OwnerMember, actor.UserID); err != nil {
		return nil, fmt.Errorf("ledger: my accounts: %w", err)
	}
	return s.store.AccountsOf(ctx, ter.ID, OwnerMember, actor.UserID)
}

// openAccount returns a holder's account in the currency code, opening
// it (and TIME) on first use.
func (s *Service) openAccount(ctx context.Context, ter *territory.Territory, code string, kind OwnerKind, ownerID int64) (*Account, error) {
	var out *Account
	err := s.store.WithTx(ctx, func(st Store) error {
		cur, err := s.currency(ctx, st, ter.ID, code)
		if err != nil {
			return err
		}
		out, err = s.holderAccount(ctx, st, cur, kind, ownerID)
		return err
	})
	return out, err
}

// MyAccount returns the actor's account in a currency, opening it.
func (s *Service) MyAccount(ctx context.Context, actor access.Actor, ter *territory.Territory, code string) (*Account, error) {
	if err := s.requireMember(actor, ter); err != nil {
		return nil, err
	}
	return s.openAccount(ctx, ter, code, OwnerMember, actor.UserID)
}

// OrganisationAccounts lists an organisation's accounts to its members
// and the territory's administrators; its TIME account is opened on the
// first look, like a member's.
func (s *Service) OrganisationAccounts(ctx context.Context, actor access.Actor, ter *territory.Territory, orgID int64) ([]*Account, error) {
	if err := s.mayUseOrg(ctx, actor, ter, orgID, false); err != nil {
		return nil, err
	}
	if _, err := s.openAccount(ctx, ter, TimeCode, OwnerOrganisation, orgID); err != nil {
		return nil, fmt.Errorf("ledger: accounts of organisation %d: %w", orgID, err)
	}
	return s.store.AccountsOf(ctx, ter.ID, OwnerOrganisation, orgID)
}

func (s *Service) requireMember(actor access.Actor, ter *territory.Territory) error {
	if err := actor.RequireUser(); err != nil {
		return err
	}
	return actor.Require(ter.ID, access.Member)
}

// mayUseOrg checks that actor may read an organisation's accounts (any
// member of it) or, with pay, pay from them (its administrators); the
// territory's administrators may do both.
func (s *Service) mayUseOrg(ctx context.Context, actor access.Actor, ter *territory.Territory, orgID int64, pay bool) error {
	if err := actor.RequireUser(); err != nil {
		return err
	}
	if s.members == nil {
		return errs.E(errs.Forbidden, "err.ledger.not_your_account")
	}
	if _, err := s.members.Organisation(ctx, ter.ID, orgID); err != nil {
		return err
	}
	if actor.Can(ter.ID, access.Admin) {
		return nil
	}
	role, err := s.members.OrgRole(ctx, orgID, actor.UserID)
	if err != nil {
		return err
	}
	switch {
	case role == "":
		return errs.E(errs.Forbidden, "err.ledger.not_your_account")
	case pay && role != account.OrgAdmin:
		return errs.E(errs.Forbidden, "err.ledger.org_admin_pays")
	}
	return nil
}

// mayRead reports whether actor may see an account's statement.
func (s *Service) mayRead(ctx context.Context, actor access.Actor, ter *territory.Territory, a *Account) error {
	if actor.Can(ter.ID, access.Admin) {
		return nil
	}
	if err := actor.RequireUser(); err != nil {
		return err
	}
	switch a.OwnerKind {
	case OwnerMember:
		if a.OwnerID == actor.UserID {
			return nil
		}
	case OwnerOrganisation:
		return s.mayUseOrg(ctx, actor, ter, a.OwnerID, false)
	}
	return errs.E(errs.NotFound, "err.ledger.account_unknown")
}

// Account returns an account its holder (or an administrator) may see.
func (s *Service) Account(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Account, error) {
	a, err := s.store.Account(ctx, ter.ID, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayRead(ctx, actor, ter, a); err != nil {
		return nil, err
	}
	return a, nil
}

// Statement lists an account's lines, newest first.
func (s *Service) Statement(ctx context.Context, actor access.Actor, ter *territory.Territory, accountID int64, f StatementFilter) (*Account, []Line, error) {
	a, err := s.Account(ctx, actor, ter, accountID)
	if err != nil {
		return nil, nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 10_000)
	if !ValidCategory(f.Category) {
		return nil, nil, errs.Fields([]errs.FieldError{{Field: "category", Key: "err.ledger.category_unknown"}})
	}
	lines, err := s.store.Statement(ctx, ter.ID, a.ID, f)
	if err != nil {
		return nil, nil, fmt.Errorf("ledger: statement of %d: %w", accountID, err)
	}
	return a, lines, nil
}

// SetLimits changes an account's limits: administrators only. The new
// lower limit may not be above the balance (the table's CHECK holds it too).
func (s *Service) SetLimits(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, lower, upper *int64) (*Account, error) {
	if err := actor.Require(ter.ID, access.Admin); err != nil {
		return nil, err
	}
	var v errs.Validator
	v.Check(lower == nil || (*lower <= 0 && *lower >= -MaxAmount), "lower_limit", "err.ledger.lower_limit_range")
	v.Check(upper == nil || (*upper > 0 && *upper <= MaxAmount), "upper_limit", "err.ledger.upper_limit_range")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *Account
	err := s.store.WithTx(ctx, func(st Store) error {
		a, err := st.Account(ctx, ter.ID, id)
		if err != nil {
			return err
		}
		if a.OwnerKind != OwnerMember && a.OwnerKind != OwnerOrganisation {
			return errs.E(errs.Invalid, "err.ledger.account_system")
		}
		if lower == nil {
			return errs.Fields([]errs.FieldError{{Field: "lower_limit", Key: "err.required"}})
		}
		if err := st.SetLimits(ctx, ter.ID, id, lower, upper); err != nil {
			if errs.KindOf(err) == errs.Invalid {
				return errs.Wrap(errs.Invalid, "err.ledger.limit_excludes_balance", err)
			}
			return err
		}
		out, err = st.Account(ctx, ter.ID, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: limits of %d: %w", id, err)
	}
	s.log.InfoContext(ctx, "ledger: limits set", "territory", ter.Slug, "account", id, "user", actor.UserID)
	return out, nil
}

// SetClosed closes or reopens an account: administrators only. A closed
// account neither pays nor receives; its history stays.
func (s *Service) SetClosed(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, closed bool) error {
	if err := actor.Require(ter.ID, access.Admin); err != nil {
		return err
	}
	var at *time.Time
	if closed {
		now := s.clock()
		at = &now
	}
	if err := s.store.SetClosed(ctx, ter.ID, id, at); err != nil {
		return fmt.Errorf("ledger: close %d: %w", id, err)
	}
	s.log.InfoContext(ctx, "ledger: account closed", "territory", ter.Slug, "account", id, "closed", closed, "user", actor.UserID)
	return nil
}

// parseRef reads an account reference: an account id ("42"), or a holder
// ("member:7", "organisation:3").
func parseRef(ref string) (kind OwnerKind, id int64, err error) {
	ref = strings.TrimSpace(ref)
	k, v, ok := strings.Cut(ref, ":")
	if !ok {
		v = k
		k = ""
	}
	n, perr := strconv.ParseInt(v, 10, 64)
	if perr != nil || n <= 0 {
		return "", 0, errs.Fields([]errs.FieldError{{Field: "to", Key: "err.ledger.account_ref"}})
	}
	switch k {
	case "":
		return "", n, nil
	case "member", "m":
		return OwnerMember, n, nil
	case "organisation", "organization", "org":
		return OwnerOrganisation, n, nil
	}
	return "", 0, errs.Fields([]errs.FieldError{{Field: "to", Key: "err.ledger.account_ref"}})
}

func checkReason(reason string) error {
	var v errs.Validator
	v.Check(utf8.RuneCountInString(reason) <= MaxReason, "reason", "err.too_long", "Max", MaxReason)
	return v.Err()
}

// MemberByEmail finds a member of the territory by e-mail address, for
// the forms that name the other side of a payment.
func (s *Service) MemberByEmail(ctx context.Context, actor access.Actor, ter *territory.Territory, field, email string) (int64, error) {
	if err := s.requireMember(actor, ter); err != nil {
		return 0, err
	}
	bad := errs.Fields([]errs.FieldError{{Field: field, Key: "err.ledger.member_unknown"}})
	email = strings.TrimSpace(email)
	if s.members == nil || email == "" {
		return 0, bad
	}
	u, err := s.members.UserByEmail(ctx, email)
	if errs.KindOf(err) == errs.NotFound {
		return 0, bad
	}
	if err != nil {
		return 0, err
	}
	if err := s.checkMember(ctx, ter.ID, u.ID); err != nil {
		return 0, bad
	}
	return u.ID, nil
}

// atomically runs a transfer's fn, whose writes each hold on their own
// (first uses, then one PostEntry): on SQLite in a transaction that
// concurrent transfers share (store.DB.Batched: one commit for many, a
// savepoint each, so a refused transfer rolls back alone); on PostgreSQL
// without one, PostEntry being a single call; inside a caller's
// transaction it joins it.
func (s *Service) atomically(ctx context.Context, fn func(st Store) error) error {
	return s.store.Direct(ctx, fn)
}
