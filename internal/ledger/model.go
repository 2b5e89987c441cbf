package ledger

import "time"

// Deposit is euros taken in (units issued to an account) or paid out to a
// merchant redeeming units.
type Deposit struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"-"`
	CurrencyID  int64     `json:"-"`
	EntryID     int64     `json:"entry_id"`
	Kind        string    `json:"kind"` // deposit or redemption
	EuroCents   int64     `json:"euro_cents"`
	Units       int64     `json:"units"`
	AccountID   int64     `json:"account_id"`
	Note        string    `json:"note,omitempty"`
	CreatedBy   int64     `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// DepositTotals sums an issued currency's deposits and redemptions.
type DepositTotals struct {
	DepositedCents, RedeemedCents int64
	IssuedUnits, RedeemedUnits    int64
}

// BalanceSheet compares an issued currency's units in circulation with
// the euros held against them.
type BalanceSheet struct {
	Currency       *Currency `json:"currency"`
	Circulation    int64     `json:"units_in_circulation"` // what the issuing account owes
	DepositedCents int64     `json:"deposited_cents"`
	RedeemedCents  int64     `json:"redeemed_cents"`
	ReserveCents   int64     `json:"reserve_cents"` // deposited - redeemed
	IssuedUnits    int64     `json:"issued_units"`
	RedeemedUnits  int64     `json:"redeemed_units"`
	Deposits       []Deposit `json:"deposits"`
}

// RecordStatus is where a time-bank record stands.
type RecordStatus string

const (
	// RecordPending: the provider recorded it; the receiver has to confirm.
	RecordPending RecordStatus = "pending"
	// RecordPosted: the receiver recorded it, the hours moved; the provider may confirm.
	RecordPosted RecordStatus = "posted"
	// RecordConfirmed: both sides agree and the hours moved.
	RecordConfirmed RecordStatus = "confirmed"
	// RecordDeclined: the receiver refused a pending record; nothing moved.
	RecordDeclined RecordStatus = "declined"
	// RecordDisputed: a side disputes moved hours; an administrator decides.
	RecordDisputed RecordStatus = "disputed"
	// RecordUpheld: the administrator kept the hours as they were.
	RecordUpheld RecordStatus = "upheld"
	// RecordReversed: the administrator reversed the hours.
	RecordReversed RecordStatus = "reversed"
)

// Record is a service exchanged in the time bank.
type Record struct {
	ID            int64        `json:"id"`
	TerritoryID   int64        `json:"-"`
	ProviderID    int64        `json:"provider_id"`
	ReceiverID    int64        `json:"receiver_id"`
	Minutes       int64        `json:"minutes"`
	Category      string       `json:"category"`
	Description   string       `json:"description,omitempty"`
	RecordedBy    int64        `json:"recorded_by"`
	Status        RecordStatus `json:"status"`
	EntryID       int64        `json:"entry_id,omitempty"`
	ReversalID    int64        `json:"reversal_id,omitempty"`
	DisputeUntil  *time.Time   `json:"dispute_until,omitempty"`
	DisputedBy    int64        `json:"disputed_by,omitempty"`
	DisputeReason string       `json:"dispute_reason,omitempty"`
	ResolvedBy    int64        `json:"resolved_by,omitempty"`
	Resolution    string       `json:"resolution,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
	// Names, for display.
	ProviderName string `json:"provider_name,omitempty"`
	ReceiverName string `json:"receiver_name,omitempty"`
}

// Price is what an exchange of a listing costs, paid when it is done.
type Price struct {
	TerritoryID int64     `json:"-"`
	ListingID   int64     `json:"listing_id"`
	CurrencyID  int64     `json:"-"`
	Currency    string    `json:"currency"`
	Amount      int64     `json:"amount"`
	Payer       string    `json:"payer"` // requester or owner
	Category    string    `json:"category,omitempty"`
	SetBy       int64     `json:"-"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Payers of a price.
const (
	PayerRequester = "requester"
	PayerOwner     = "owner"
)

// Overview is a territory's ledger for its administrators.
type Overview struct {
	Currencies []CurrencyFigures `json:"currencies"`
}

// CurrencyFigures are one currency's indicators.
type CurrencyFigures struct {
	Currency       *Currency     `json:"currency"`
	Accounts       int           `json:"accounts"`
	ActiveAccounts int           `json:"active_accounts"` // with a posting since the period start
	Circulation    int64         `json:"units_in_circulation"`
	Months         []MonthVolume `json:"months"`
	Categories     []CategorySum `json:"categories"`
}

// MonthVolume is what moved in a month (sum of the positive postings of
// transfers between holders, system moves included).
type MonthVolume struct {
	Month   string `json:"month"` // 2026-11
	Volume  int64  `json:"volume"`
	Entries int    `json:"entries"`
}

// CategorySum is the volume of a category of help.
type CategorySum struct {
	Category string `json:"category"`
	Volume   int64  `json:"volume"`
	Entries  int    `json:"entries"`
}

// Discrepancy is one thing Verify found wrong.
type Discrepancy struct {
	What     string `json:"what"` // account, entry, currency, issued, clearing
	ID       int64  `json:"id"`
	Currency string `json:"currency,omitempty"`
	Expected int64  `json:"expected"`
	Actual   int64  `json:"actual"`
}

// VerifyCounts says how much Verify read.
type VerifyCounts struct {
	Accounts   int64 `json:"accounts"`
	Postings   int64 `json:"postings"`
	Entries    int64 `json:"entries"`
	Currencies int64 `json:"currencies"`
}
