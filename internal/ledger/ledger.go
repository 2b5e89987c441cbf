// Package ledger is the time bank and the local currencies of a territory:
// a double-entry ledger where every movement is an immutable journal entry
// of postings that sum to zero, so no unit is ever created or lost.
// Amounts are integers in the smallest unit (minutes for TIME, cents for a
// currency with two decimals), never floats.
package ledger

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/errs"
)

// TimeCode is the time bank's currency: it exists in every territory and
// counts minutes (one hour given = one hour received, whoever you are).
const TimeCode = "TIME"

// CurrencyKind says how units come to exist.
type CurrencyKind string

const (
	// KindTime is the time credit: mutual credit counted in minutes.
	KindTime CurrencyKind = "time"
	// KindMutual is a mutual-credit currency: members go below zero
	// within their limit, others above.
	KindMutual CurrencyKind = "mutual"
	// KindIssued is issued against euro deposits, from the issuing account.
	KindIssued CurrencyKind = "issued"
)

// Currency is one unit of account of a territory.
type Currency struct {
	ID          int64        `json:"-"`
	TerritoryID int64        `json:"-"`
	Code        string       `json:"code"`
	Name        string       `json:"name"`
	Decimals    int          `json:"decimals"`
	Kind        CurrencyKind `json:"kind"`
	// DefaultLower is the lower limit of new member and organisation
	// accounts (≤ 0); DefaultUpper their upper limit, nil for none.
	DefaultLower int64     `json:"default_lower_limit"`
	DefaultUpper *int64    `json:"default_upper_limit,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Time currency defaults: -10 h lets a new member receive a first service
// before giving one.
const (
	TimeDefaultLower = -10 * 60
	MaxCodeLen       = 12
	MaxNameLen       = 60
	MaxReason        = 500
	// MaxAmount bounds one transfer: far beyond any real one, far below
	// int64 overflow when summed.
	MaxAmount = 1_000_000_000_000
)

// OwnerKind says who holds an account.
type OwnerKind string

const (
	OwnerMember       OwnerKind = "member"
	OwnerOrganisation OwnerKind = "organisation"
	OwnerIssuing      OwnerKind = "issuing"  // one per issued currency
	OwnerClearing     OwnerKind = "clearing" // one per partner territory and currency
)

// Account holds one owner's balance in one currency.
type Account struct {
	ID          int64      `json:"id"`
	TerritoryID int64      `json:"-"`
	CurrencyID  int64      `json:"-"`
	Currency    string     `json:"currency"`
	Decimals    int        `json:"decimals"`
	OwnerKind   OwnerKind  `json:"owner_kind"`
	OwnerID     int64      `json:"owner_id"`
	Balance     int64      `json:"balance"`
	Lower       *int64     `json:"lower_limit"`
	Upper       *int64     `json:"upper_limit"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	// OwnerName is filled for display by the web layer.
	OwnerName string `json:"owner_name,omitempty"`
}

// Closed reports a closed account: it neither pays nor receives.
func (a *Account) Closed() bool { return a.ClosedAt != nil }

// Room is how much the account may still pay before its lower limit; -1
// for no limit.
func (a *Account) Room() int64 {
	if a.Lower == nil {
		return -1
	}
	return a.Balance - *a.Lower
}

// EntryKind says what produced a journal entry.
type EntryKind string

const (
	EntryTransfer   EntryKind = "transfer"
	EntryTimebank   EntryKind = "timebank"
	EntryPayment    EntryKind = "payment" // of an exchange of the offers module
	EntryDeposit    EntryKind = "deposit"
	EntryRedemption EntryKind = "redemption"
	EntryReversal   EntryKind = "reversal"
	EntryPartner    EntryKind = "partner" // between partner territories
)

// Entry is one journal entry: its postings sum to zero in each currency.
type Entry struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"-"`
	Kind        EntryKind `json:"kind"`
	Reason      string    `json:"reason,omitempty"`
	Category    string    `json:"category,omitempty"`
	IdemKey     string    `json:"-"`
	ExchangeID  int64     `json:"exchange_id,omitempty"`
	ListingID   int64     `json:"listing_id,omitempty"`
	ReversesID  int64     `json:"reverses_id,omitempty"`
	CreatedBy   int64     `json:"created_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	Postings    []Posting `json:"postings"`
}

// Posting moves amount (signed) on one account.
type Posting struct {
	AccountID   int64 `json:"account_id"`
	TerritoryID int64 `json:"-"`
	CurrencyID  int64 `json:"-"`
	Amount      int64 `json:"amount"`
}

// Transfer is the answer to a payment between two accounts.
type Transfer struct {
	ID       int64     `json:"id"` // the journal entry
	From     int64     `json:"from"`
	To       int64     `json:"to"`
	Currency string    `json:"currency"`
	Amount   int64     `json:"amount"`
	Reason   string    `json:"reason,omitempty"`
	Category string    `json:"category,omitempty"`
	Created  time.Time `json:"created_at"`
	// Replayed is true when an earlier request with the same idempotency
	// key made this transfer: no unit moved this time.
	Replayed bool `json:"replayed"`
}

// Line is one posting of an account's statement, with its entry.
type Line struct {
	EntryID    int64     `json:"entry_id"`
	Kind       EntryKind `json:"kind"`
	Amount     int64     `json:"amount"`
	Reason     string    `json:"reason,omitempty"`
	Category   string    `json:"category,omitempty"`
	ExchangeID int64     `json:"exchange_id,omitempty"`
	ListingID  int64     `json:"listing_id,omitempty"`
	ReversesID int64     `json:"reverses_id,omitempty"`
	// ReversedBy is the entry that reversed this one, if any.
	ReversedBy   int64     `json:"reversed_by,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	Counterparty *Party    `json:"counterparty,omitempty"`
}

// Party names the other side of a line: the account with the opposite
// posting of the largest size.
type Party struct {
	AccountID int64     `json:"account_id"`
	OwnerKind OwnerKind `json:"owner_kind"`
	OwnerID   int64     `json:"owner_id"`
	Name      string    `json:"name,omitempty"`
}

// StatementFilter narrows a statement.
type StatementFilter struct {
	From, To time.Time // created_at in [From, To); zero = open
	Category string
	Kind     EntryKind
	Limit    int // default 100, at most 10,000 (CSV downloads)
	BeforeID int64
}

// Categories of help, for reports on what circulates.
var Categories = []string{"gardening", "repairs", "care", "childcare", "cooking", "housework", "transport",
	"computing", "teaching", "paperwork", "company", "culture", "other"}

// ValidCategory reports one of Categories, or empty.
func ValidCategory(c string) bool {
	if c == "" {
		return true
	}
	for _, x := range Categories {
		if x == c {
			return true
		}
	}
	return false
}

// Validate checks a new currency.
func (c *Currency) Validate() error {
	var v errs.Validator
	c.Code = strings.ToUpper(strings.TrimSpace(c.Code))
	c.Name = strings.TrimSpace(c.Name)
	v.Check(validCode(c.Code), "code", "err.ledger.code_format", "Max", MaxCodeLen)
	v.Check(c.Code != TimeCode || c.Kind == KindTime, "code", "err.ledger.code_reserved")
	v.Check(c.Name != "" && utf8.RuneCountInString(c.Name) <= MaxNameLen, "name", "err.required_max", "Max", MaxNameLen)
	v.Check(c.Decimals >= 0 && c.Decimals <= 4, "decimals", "err.ledger.decimals_range")
	v.Check(c.Kind == KindTime || c.Kind == KindMutual || c.Kind == KindIssued, "kind", "err.ledger.currency_kind")
	v.Check(c.DefaultLower <= 0 && c.DefaultLower >= -MaxAmount, "default_lower_limit", "err.ledger.lower_limit_range")
	v.Check(c.Kind != KindIssued || c.DefaultLower == 0, "default_lower_limit", "err.ledger.issued_no_credit")
	v.Check(c.DefaultUpper == nil || (*c.DefaultUpper > 0 && *c.DefaultUpper <= MaxAmount), "default_upper_limit", "err.ledger.upper_limit_range")
	return v.Err()
}

func validCode(code string) bool {
	if len(code) < 2 || len(code) > MaxCodeLen {
		return false
	}
	for _, r := range code {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

var pow10 = [...]int64{1, 10, 100, 1000, 10000}

// ParseAmount reads a decimal string typed in a form ("12", "12.5",
// "12,50") into the smallest unit of a currency with decimals places.
// More decimals than the currency has is an error, never a rounding.
func ParseAmount(s string, decimals int) (int64, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, " ", ""))
	s = strings.ReplaceAll(s, ",", ".")
	if s == "" {
		return 0, errs.E(errs.Invalid, "err.ledger.amount_required")
	}
	if strings.HasPrefix(s, "-") {
		return 0, errs.E(errs.Invalid, "err.ledger.amount_positive")
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > decimals {
		return 0, errs.E(errs.Invalid, "err.ledger.too_many_decimals", "Decimals", decimals)
	}
	if whole == "" {
		whole = "0"
	}
	if !digits(whole) || !digits(frac) || len(whole) > 15 {
		return 0, errs.E(errs.Invalid, "err.ledger.amount_format")
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	var f int64
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		f *= pow10[decimals-len(frac)]
	}
	return checkAmount(w*pow10[decimals] + f)
}

// ParseMinutes reads a duration typed in a form: "2", "1.5" or "1,5"
// (hours), "1:30", "1h30", "1 h 30" or "90min"; the result is whole minutes.
func ParseMinutes(s string) (int64, error) {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if s == "" {
		return 0, errs.E(errs.Invalid, "err.ledger.amount_required")
	}
	if strings.HasPrefix(s, "-") {
		return 0, errs.E(errs.Invalid, "err.ledger.amount_positive")
	}
	if m, ok := strings.CutSuffix(s, "min"); ok {
		if !digits(m) || m == "" || len(m) > 12 {
			return 0, errs.E(errs.Invalid, "err.ledger.duration_format")
		}
		n, _ := strconv.ParseInt(m, 10, 64)
		return checkAmount(n)
	}
	for _, sep := range []string{":", "h"} {
		if h, m, ok := strings.Cut(s, sep); ok {
			if m == "" {
				m = "0"
			}
			if !digits(h) || h == "" || !digits(m) || len(m) > 2 || len(h) > 10 {
				return 0, errs.E(errs.Invalid, "err.ledger.duration_format")
			}
			hh, _ := strconv.ParseInt(h, 10, 64)
			mm, _ := strconv.ParseInt(m, 10, 64)
			if mm >= 60 {
				return 0, errs.E(errs.Invalid, "err.ledger.duration_format")
			}
			return checkAmount(hh*60 + mm)
		}
	}
	// Decimal hours: only what makes whole minutes (0.25 h, not 0.3333 h).
	n, err := ParseAmount(s, 2)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Key == "err.ledger.amount_format" {
			return 0, errs.E(errs.Invalid, "err.ledger.duration_format")
		}
		return 0, err
	}
	if n*60%100 != 0 {
		return 0, errs.E(errs.Invalid, "err.ledger.too_many_decimals", "Decimals", 2)
	}
	return checkAmount(n * 60 / 100)
}

func checkAmount(n int64) (int64, error) {
	switch {
	case n <= 0:
		return 0, errs.E(errs.Invalid, "err.ledger.amount_positive")
	case n > MaxAmount:
		return 0, errs.E(errs.Invalid, "err.ledger.amount_too_large")
	}
	return n, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// FormatAmount writes an amount for people: hours and minutes for TIME
// ("2 h", "-1 h 30"), a decimal otherwise ("12.50", or "12,50" in French).
func FormatAmount(amount int64, code string, decimals int, lang string) string {
	neg := amount < 0
	if neg {
		amount = -amount
	}
	var s string
	if code == TimeCode {
		h, m := amount/60, amount%60
		switch {
		case m == 0:
			s = strconv.FormatInt(h, 10) + " h"
		case h == 0:
			s = strconv.FormatInt(m, 10) + " min"
		default:
			s = strconv.FormatInt(h, 10) + " h " + twoDigits(m)
		}
	} else {
		s = strconv.FormatInt(amount/pow10[decimals], 10)
		if decimals > 0 {
			frac := strconv.FormatInt(amount%pow10[decimals]+pow10[decimals], 10)[1:]
			sep := "."
			if lang == "fr" {
				sep = ","
			}
			s += sep + frac
		}
	}
	if neg {
		return "-" + s
	}
	return s
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }
