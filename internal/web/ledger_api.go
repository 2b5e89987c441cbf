package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/ledger"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// JSON API of the ledger: balances, statements, transfers (idempotent with
// an Idempotency-Key header), the time bank, prices of listings and the
// administrators' figures. Every rule is ledger.Service's.

func (s *Server) ledgerAPITable() []apiHandler {
	const base = "/api/v1/territories/{slug}"
	return []apiHandler{
		{"GET", base + "/currencies", s.apiCurrencies},
		{"POST", base + "/currencies", s.apiCreateCurrency},
		{"GET", base + "/currencies/{code}/balance-sheet", s.apiBalanceSheet},
		{"GET", base + "/accounts/me", s.apiMyAccounts},
		{"GET", base + "/accounts/{id}", s.apiAccount},
		{"GET", base + "/accounts/{id}/statement", s.apiStatement},
		{"PUT", base + "/accounts/{id}/limits", s.apiAccountLimits},
		{"POST", base + "/transfers", s.apiTransfer},
		{"POST", base + "/entries/{id}/reverse", s.apiReverse},
		{"POST", base + "/accounts/{id}/settle", s.apiSettle},
		{"POST", base + "/deposits", s.apiDeposit},
		{"GET", base + "/timebank/records", s.apiRecords},
		{"POST", base + "/timebank/records", s.apiRecord},
		{"POST", base + "/timebank/records/{id}", s.apiRecordAction},
		{"GET", base + "/listings/{id}/price", s.apiPrice},
		{"PUT", base + "/listings/{id}/price", s.apiSetPrice},
		{"GET", base + "/ledger/overview", s.apiLedgerOverview},
		{"GET", base + "/ledger/settings", s.apiLedgerSettings},
		{"PUT", base + "/ledger/settings", s.apiSetLedgerSettings},
	}
}

// accountRef is an account in JSON: its id as a number, or a string such
// as "42", "member:7" or "organisation:3".
type accountRef string

func (a *accountRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = accountRef(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*a = accountRef(n.String())
	return nil
}

func (s *Server) apiCurrencies(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		list, err := s.Ledger.Currencies(r.Context(), ter)
		return map[string]any{"currencies": list}, err
	})
}

type currencyInput struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	Decimals     int    `json:"decimals"`
	Kind         string `json:"kind"`
	DefaultLower int64  `json:"default_lower_limit"`
	DefaultUpper *int64 `json:"default_upper_limit"`
}

func (s *Server) apiCreateCurrency(w http.ResponseWriter, r *http.Request) {
	var in currencyInput
	s.apiIn(w, r, http.StatusCreated, &in, func(ter *territory.Territory, a access.Actor) (any, error) {
		c := &ledger.Currency{Code: in.Code, Name: in.Name, Decimals: in.Decimals, Kind: ledger.CurrencyKind(in.Kind),
			DefaultLower: in.DefaultLower, DefaultUpper: in.DefaultUpper}
		if err := s.Ledger.CreateCurrency(r.Context(), a, ter, c); err != nil {
			return nil, err
		}
		return c, nil
	})
}

func (s *Server) apiBalanceSheet(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		return s.Ledger.BalanceSheet(r.Context(), actorFrom(r.Context()), ter, r.PathValue("code"))
	})
}

func (s *Server) apiMyAccounts(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		list, err := s.Ledger.MyAccounts(r.Context(), actorFrom(r.Context()), ter)
		return map[string]any{"accounts": list}, err
	})
}

func (s *Server) apiAccount(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return s.Ledger.Account(r.Context(), actorFrom(r.Context()), ter, id)
	})
}

// statementFilter reads the statement's query: from and to (dates
// 2006-01-02, to inclusive), category, kind, limit, before (an entry id).
func statementFilter(q map[string][]string, loc *time.Location) (ledger.StatementFilter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	var f ledger.StatementFilter
	var fields []errs.FieldError
	day := func(k string) time.Time {
		v := get(k)
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			fields = append(fields, errs.FieldError{Field: k, Key: "err.ledger.date_format"})
		}
		return t.UTC()
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	f.Category = get("category")
	f.Kind = ledger.EntryKind(get("kind"))
	for _, k := range []string{"limit", "before"} {
		if v := get(k); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				fields = append(fields, errs.FieldError{Field: k, Key: "err.invalid_input"})
			}
			if k == "limit" {
				f.Limit = int(n)
			} else {
				f.BeforeID = n
			}
		}
	}
	return f, errs.Fields(fields)
}

func (s *Server) apiStatement(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		f, err := statementFilter(r.URL.Query(), ter.Location())
		if err != nil {
			return nil, err
		}
		acc, lines, err := s.Ledger.Statement(r.Context(), actorFrom(r.Context()), ter, id, f)
		if err != nil {
			return nil, err
		}
		return map[string]any{"account": acc, "lines": lines}, nil
	})
}

func (s *Server) apiAccountLimits(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Lower *int64 `json:"lower_limit"`
		Upper *int64 `json:"upper_limit"`
	}
	s.apiIn(w, r, http.StatusOK, &in, func(ter *territory.Territory, a access.Actor) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return s.Ledger.SetLimits(r.Context(), a, ter, id, in.Lower, in.Upper)
	})
}

type transferInput struct {
	To          accountRef `json:"to"`
	ToTerritory string     `json:"to_territory"`
	From        string     `json:"from"`
	Currency    string     `json:"currency"`
	Amount      int64      `json:"amount"`
	Reason      string     `json:"reason"`
	Category    string     `json:"category"`
}

// apiTransfer pays another holder. The same Idempotency-Key from the same
// member answers the first transfer again (units moved once), marked
// "replayed" and with the header Idempotent-Replayed: true.
func (s *Server) apiTransfer(w http.ResponseWriter, r *http.Request) {
	var in transferInput
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	a, err := s.writer(r)
	if err == nil {
		err = decodeJSON(w, r, &in)
	}
	var tr *ledger.Transfer
	if err == nil {
		tr, err = s.Ledger.Transfer(r.Context(), a, ter, ledger.TransferInput{To: string(in.To), ToTerritory: in.ToTerritory,
			From: in.From, Currency: in.Currency, Amount: in.Amount, Reason: in.Reason, Category: in.Category,
			IdemKey: r.Header.Get("Idempotency-Key")})
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	status := http.StatusCreated
	if tr.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	writeJSON(w, status, tr)
}

func (s *Server) apiReverse(w http.ResponseWriter, r *http.Request) {
	s.apiWithReason(w, r, s.Ledger.Reverse)
}

func (s *Server) apiSettle(w http.ResponseWriter, r *http.Request) {
	s.apiWithReason(w, r, s.Ledger.Settle)
}

// apiWithReason runs an administrator's move on {id} that takes a
// {"reason"} and answers the entry it posted.
func (s *Server) apiWithReason(w http.ResponseWriter, r *http.Request,
	fn func(context.Context, access.Actor, *territory.Territory, int64, string) (*ledger.Entry, error)) {
	var in struct {
		Reason string `json:"reason"`
	}
	s.apiIn(w, r, http.StatusCreated, &in, func(ter *territory.Territory, a access.Actor) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return fn(r.Context(), a, ter, id, in.Reason)
	})
}

func (s *Server) apiDeposit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind      string     `json:"kind"`
		Currency  string     `json:"currency"`
		Account   accountRef `json:"account"`
		EuroCents int64      `json:"euro_cents"`
		Note      string     `json:"note"`
	}
	s.apiIn(w, r, http.StatusCreated, &in, func(ter *territory.Territory, a access.Actor) (any, error) {
		d := ledger.DepositInput{Currency: in.Currency, Account: string(in.Account), EuroCents: in.EuroCents, Note: in.Note}
		switch in.Kind {
		case "", "deposit":
			return s.Ledger.Deposit(r.Context(), a, ter, d)
		case "redemption":
			return s.Ledger.Redeem(r.Context(), a, ter, d)
		}
		return nil, errs.Fields([]errs.FieldError{{Field: "kind", Key: "err.ledger.deposit_kind"}})
	})
}

func (s *Server) apiRecords(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		a := actorFrom(r.Context())
		var list []*ledger.Record
		var err error
		if r.URL.Query().Get("status") == "disputed" {
			list, err = s.Ledger.Disputes(r.Context(), a, ter)
		} else {
			list, err = s.Ledger.MyRecords(r.Context(), a, ter)
		}
		return map[string]any{"records": list}, err
	})
}

func (s *Server) apiRecord(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Role        string `json:"role"` // receiver (default) or provider: the caller's side
		Other       int64  `json:"other"`
		Minutes     int64  `json:"minutes"`
		Category    string `json:"category"`
		Description string `json:"description"`
	}
	s.apiIn(w, r, http.StatusCreated, &in, func(ter *territory.Territory, a access.Actor) (any, error) {
		if in.Role != "" && in.Role != "receiver" && in.Role != "provider" {
			return nil, errs.Fields([]errs.FieldError{{Field: "role", Key: "err.ledger.record_role"}})
		}
		return s.Ledger.RecordService(r.Context(), a, ter, ledger.RecordInput{ActorProvided: in.Role == "provider",
			Other: in.Other, Minutes: in.Minutes, Category: in.Category, Description: in.Description})
	})
}

func (s *Server) apiRecordAction(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Action string `json:"action"`
		Note   string `json:"note"`
	}
	s.apiIn(w, r, http.StatusOK, &in, func(ter *territory.Territory, a access.Actor) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return s.Ledger.ActOnRecord(r.Context(), a, ter, id, ledger.RecordAction(in.Action), in.Note)
	})
}

func (s *Server) apiPrice(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return s.Ledger.Price(r.Context(), ter, id)
	})
}

func (s *Server) apiSetPrice(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Currency string `json:"currency"`
		Amount   int64  `json:"amount"`
		Category string `json:"category"`
	}
	s.apiIn(w, r, http.StatusOK, &in, func(ter *territory.Territory, a access.Actor) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		p, err := s.Ledger.SetPrice(r.Context(), a, ter, s.Offers, id, in.Currency, in.Amount, in.Category)
		if p == nil && err == nil {
			return nil, nil
		}
		return p, err
	})
}

func (s *Server) apiLedgerOverview(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		return s.Ledger.Overview(r.Context(), actorFrom(r.Context()), ter)
	})
}

func (s *Server) apiLedgerSettings(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		return s.Ledger.Settings(r.Context(), ter)
	})
}

func (s *Server) apiSetLedgerSettings(w http.ResponseWriter, r *http.Request) {
	var in ledger.Settings
	s.apiIn(w, r, http.StatusOK, &in, func(ter *territory.Territory, a access.Actor) (any, error) {
		return s.Ledger.SetSettings(r.Context(), a, ter, in)
	})
}
