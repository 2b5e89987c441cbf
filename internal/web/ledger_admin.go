package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/ledger"
)

// The administrators' ledger: overview per currency (volume per month,
// active accounts, units in circulation, categories), disputes to
// resolve, new currencies, deposits and redemptions, account limits, and
// the balance sheet of an issued currency.

func (s *Server) ledgerAdminRoutes(page func(string, http.HandlerFunc)) {
	page("GET /t/{slug}/ledger/admin", s.ledgerAdmin)
	page("POST /t/{slug}/ledger/admin", s.ledgerAdminPost)
	page("GET /t/{slug}/ledger/admin/sheet/{code}", s.ledgerSheet)
}

type figuresRow struct {
	F           ledger.CurrencyFigures
	Circulation string
	Months      []monthRow
	Categories  []monthRow
}

type monthRow struct {
	Label   string
	Volume  string
	Entries int
	Percent int // of the largest, for the bar
}

func (s *Server) renderLedgerAdmin(w http.ResponseWriter, r *http.Request, p *Page, status int) {
	ov, err := s.Ledger.Overview(r.Context(), p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	disputes, err := s.Ledger.Disputes(r.Context(), p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	partners, err := s.Ledger.Partners(r.Context(), p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var rows []figuresRow
	for _, f := range ov.Currencies {
		c := f.Currency
		row := figuresRow{F: f, Circulation: amountText(f.Circulation, c.Code, c.Decimals, p.Lang)}
		bars := func(label string, vol int64, n int, top int64) monthRow {
			pct := 0
			if top > 0 {
				pct = int(vol * 100 / top)
			}
			return monthRow{Label: label, Volume: amountText(vol, c.Code, c.Decimals, p.Lang), Entries: n, Percent: pct}
		}
		var top int64
		for _, m := range f.Months {
			top = max(top, m.Volume)
		}
		for _, m := range f.Months {
			row.Months = append(row.Months, bars(m.Month, m.Volume, m.Entries, top))
		}
		top = 0
		for _, c := range f.Categories {
			top = max(top, c.Volume)
		}
		for _, cs := range f.Categories {
			row.Categories = append(row.Categories, bars(p.L.T("ledger.cat_"+cs.Category), cs.Volume, cs.Entries, top))
		}
		rows = append(rows, row)
	}
	set, err := s.Ledger.Settings(r.Context(), p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if p.Form == nil || p.Form.Get("form") != "settings" {
		if p.Form == nil {
			p.Form = url.Values{}
		}
		p.Form.Set("dispute_days", strconv.Itoa(set.DisputeDays))
	}
	p.Data = map[string]any{"Currencies": rows, "Disputes": s.recordRows(r.Context(), p, disputes), "Partners": partners}
	s.render(w, r, status, "ledger_admin", p)
}

func (s *Server) ledgerAdmin(w http.ResponseWriter, r *http.Request) {
	p, ok := s.memberPage(w, r, "ledger.admin_title")
	if !ok {
		return
	}
	if err := p.Actor.Require(p.Territory.ID, access.Admin); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderLedgerAdmin(w, r, p, http.StatusOK)
}

func optInt(v string) (*int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, errs.E(errs.Invalid, "err.ledger.amount_format")
	}
	return &n, nil
}

// ledgerAdminPost runs one of the forms of the admin page, by "form".
func (s *Server) ledgerAdminPost(w http.ResponseWriter, r *http.Request) {
	p, ok := s.memberPage(w, r, "ledger.admin_title")
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	_ = r.ParseForm()
	p.Form = r.PostForm
	ctx, f, a, t := r.Context(), r.PostForm, p.Actor, p.Territory
	var err error
	var msg string
	switch f.Get("form") {
	case "currency":
		dec, _ := strconv.Atoi(f.Get("decimals"))
		var lower, upper *int64
		if lower, err = optInt(f.Get("default_lower_limit")); err == nil {
			upper, err = optInt(f.Get("default_upper_limit"))
		}
		if err == nil {
			c := &ledger.Currency{Code: f.Get("code"), Name: f.Get("name"), Decimals: dec, Kind: ledger.CurrencyKind(f.Get("kind")), DefaultUpper: upper}
			if lower != nil {
				// Typed in whole units: scale to the smallest.
				c.DefaultLower = *lower * pow10(dec)
			}
			if upper != nil {
				v := *upper * pow10(dec)
				c.DefaultUpper = &v
			}
			err = s.Ledger.CreateCurrency(ctx, a, t, c)
		}
		msg = p.L.T("ledger.currency_created")
	case "deposit", "redemption":
		var cents int64
		cents, err = ledger.ParseAmount(f.Get("euros"), 2)
		if e, ok := errs.As(err); ok && len(e.Fields) == 0 {
			err = errs.Fields([]errs.FieldError{{Field: "euros", Key: e.Key, Args: e.Args}})
		}
		if err == nil {
			var holder int64
			holder, err = s.Ledger.MemberByEmail(ctx, a, t, "account", f.Get("account"))
			in := ledger.DepositInput{Currency: f.Get("currency"), Account: "member:" + strconv.FormatInt(holder, 10), EuroCents: cents, Note: f.Get("note")}
			if err == nil && f.Get("form") == "deposit" {
				_, err = s.Ledger.Deposit(ctx, a, t, in)
			} else if err == nil {
				_, err = s.Ledger.Redeem(ctx, a, t, in)
			}
		}
		msg = p.L.T("ledger.deposit_done")
	case "limits":
		var id int64
		id, err = strconv.ParseInt(f.Get("account_id"), 10, 64)
		if err != nil {
			err = errs.Fields([]errs.FieldError{{Field: "account_id", Key: "err.ledger.account_ref"}})
			break
		}
		var acc *ledger.Account
		if acc, err = s.Ledger.Account(ctx, a, t, id); err != nil {
			break
		}
		var lower, upper int64
		var up *int64
		lower, err = s.parseLimit(r, p, acc, f.Get("lower_limit"), true)
		if err == nil && strings.TrimSpace(f.Get("upper_limit")) != "" {
			upper, err = s.parseLimit(r, p, acc, f.Get("upper_limit"), false)
			up = &upper
		}
		if err == nil {
			_, err = s.Ledger.SetLimits(ctx, a, t, id, &lower, up)
		}
		msg = p.L.T("ledger.limits_set")
	case "settings":
		days, perr := strconv.Atoi(strings.TrimSpace(f.Get("dispute_days")))
		if perr != nil {
			err = errs.Fields([]errs.FieldError{{Field: "dispute_days", Key: "err.ledger.dispute_days_range", Args: map[string]any{"Max": ledger.MaxDisputeDays}}})
			break
		}
		if _, err = s.Ledger.SetSettings(ctx, a, t, ledger.Settings{DisputeDays: days}); err == nil {
			msg = p.L.T("ledger.settings_saved")
		}
	case "settle", "reverse":
		field, move, done := "account_id", s.Ledger.Settle, "ledger.settled"
		if f.Get("form") == "reverse" {
			field, move, done = "entry_id", s.Ledger.Reverse, "ledger.reversal_done"
		}
		id, perr := strconv.ParseInt(strings.TrimSpace(f.Get(field)), 10, 64)
		if perr != nil {
			err = errs.Fields([]errs.FieldError{{Field: field, Key: "err.ledger.number"}})
			break
		}
		var e *ledger.Entry
		if e, err = move(ctx, a, t, id, f.Get("reason")); err == nil {
			msg = p.L.T(done, "ID", id, "Entry", e.ID)
		}
	default:
		err = errs.E(errs.Invalid, "err.invalid_input")
	}
	if err != nil {
		if k := errs.KindOf(err); k == errs.Internal || k == errs.Unauthenticated || k == errs.Forbidden {
			s.renderError(w, r, err)
			return
		}
		p.setErr(err)
		s.renderLedgerAdmin(w, r, p, statusOf(errs.KindOf(err)))
		return
	}
	next := "/t/" + t.Slug + "/ledger/admin"
	if n := f.Get("next"); n != "" {
		next = n // the statement the form was on
	}
	s.flash(r, msg)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// parseLimit reads a limit typed like an amount (a lower limit as a
// positive credit, "10" meaning -10 h for TIME).
func (s *Server) parseLimit(r *http.Request, p *Page, acc *ledger.Account, v string, lower bool) (int64, error) {
	field := "upper_limit"
	if lower {
		field = "lower_limit"
	}
	v = strings.TrimPrefix(strings.TrimSpace(v), "-")
	if v == "0" && lower {
		return 0, nil
	}
	n, _, err := s.parseAmountField(r, p.Territory, acc.Currency, field, v)
	if lower {
		n = -n
	}
	return n, err
}

func pow10(n int) int64 {
	out := int64(1)
	for i := 0; i < n; i++ {
		out *= 10
	}
	return out
}

func (s *Server) ledgerSheet(w http.ResponseWriter, r *http.Request) {
	p, ok := s.memberPage(w, r, "ledger.sheet_title")
	if !ok {
		return
	}
	bs, err := s.Ledger.BalanceSheet(r.Context(), p.Actor, p.Territory, r.PathValue("code"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	c := bs.Currency
	euros := func(n int64) string { return ledger.FormatAmount(n, "EUR", 2, p.Lang) + " €" }
	type depRow struct {
		D     ledger.Deposit
		Euros string
		Units string
	}
	var deps []depRow
	for _, d := range bs.Deposits {
		deps = append(deps, depRow{D: d, Euros: euros(d.EuroCents), Units: amountText(d.Units, c.Code, c.Decimals, p.Lang)})
	}
	p.Data = map[string]any{"Sheet": bs, "Circulation": amountText(bs.Circulation, c.Code, c.Decimals, p.Lang),
		"Reserve": euros(bs.ReserveCents), "Deposited": euros(bs.DepositedCents), "Redeemed": euros(bs.RedeemedCents),
		"Balanced": bs.Circulation*100 == bs.ReserveCents*pow10(c.Decimals), "Deposits": deps}
	s.render(w, r, http.StatusOK, "ledger_sheet", p)
}
