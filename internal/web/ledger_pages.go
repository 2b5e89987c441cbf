package web

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/ledger"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Pages of the ledger: balances, statements (with a CSV download), the
// transfer form that warns near the limit, the time bank, and the
// administrators' overview and balance sheets. Forms post and redirect.

func (s *Server) ledgerRoutes(page func(string, http.HandlerFunc)) {
	page("GET /t/{slug}/ledger", s.ledgerHome)
	page("GET /t/{slug}/ledger/accounts/{id}", s.ledgerStatement)
	page("GET /t/{slug}/ledger/accounts/{id}/statement.csv", s.ledgerStatementCSV)
	page("GET /t/{slug}/ledger/transfer", s.ledgerTransferForm)
	page("POST /t/{slug}/ledger/transfer", s.ledgerTransfer)
	page("GET /t/{slug}/timebank", s.timebankPage)
	page("POST /t/{slug}/timebank", s.timebankRecord)
	page("POST /t/{slug}/timebank/{id}", s.timebankAction)
	s.ledgerAdminRoutes(page)
	s.ledgerOrgRoutes(page)
}

// amountText formats an account's amount for the page's language.
func amountText(n int64, code string, decimals int, lang string) string {
	return ledger.FormatAmount(n, code, decimals, lang)
}

type accountRow struct {
	A       *ledger.Account
	Balance string
	Lower   string
	Upper   string
	Name    string
}

func rowOf(a *ledger.Account, lang string) accountRow {
	r := accountRow{A: a, Balance: amountText(a.Balance, a.Currency, a.Decimals, lang)}
	if a.Lower != nil {
		r.Lower = amountText(*a.Lower, a.Currency, a.Decimals, lang)
	}
	if a.Upper != nil {
		r.Upper = amountText(*a.Upper, a.Currency, a.Decimals, lang)
	}
	return r
}

func rowsOf(accs []*ledger.Account, lang string) []accountRow {
	rows := make([]accountRow, 0, len(accs))
	for _, a := range accs {
		rows = append(rows, rowOf(a, lang))
	}
	return rows
}

// memberPage starts a page for a signed-in member of the territory.
func (s *Server) memberPage(w http.ResponseWriter, r *http.Request, titleKey string) (*Page, bool) {
	p, ok := s.territoryPage(w, r, titleKey)
	if !ok {
		return nil, false
	}
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return nil, false
	}
	return p, true
}

func (s *Server) ledgerHome(w http.ResponseWriter, r *http.Request) {
	p, ok := s.memberPage(w, r, "ledger.home_title")
	if !ok {
		return
	}
	accs, err := s.Ledger.MyAccounts(r.Context(), p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Data = map[string]any{"Accounts": rowsOf(accs, p.Lang), "Admin": p.Can("admin"), "Orgs": s.payingOrgs(r.Context(), p)}
	s.render(w, r, http.StatusOK, "ledger_home", p)
}

type lineRow struct {
	L      ledger.Line
	Amount string
	Party  string
	// Reversible: an administrator may reverse the line's entry here.
	Reversible bool
}

// partyName names the other side of a line for people.
func (s *Server) partyName(ctx context.Context, p *Page, party *ledger.Party, cache map[int64]string) string {
	if party == nil {
		return ""
	}
	switch party.OwnerKind {
	case ledger.OwnerMember:
		if n, ok := cache[party.OwnerID]; ok {
			return n
		}
		n := p.L.T("ledger.member_n", map[string]any{"ID": party.OwnerID})
		if u, err := s.Accounts.User(ctx, party.OwnerID); err == nil && u.DisplayName != "" {
			n = u.DisplayName
		}
		cache[party.OwnerID] = n
		return n
	case ledger.OwnerOrganisation:
		if o, err := s.Accounts.Organisation(ctx, p.Territory.ID, party.OwnerID); err == nil {
			return o.Name
		}
	case ledger.OwnerIssuing:
		return p.L.T("ledger.issuing_account")
	case ledger.OwnerClearing:
		if t, err := s.Territories.ByID(ctx, party.OwnerID); err == nil {
			return p.L.T("ledger.partner_territory", map[string]any{"Name": t.Name})
		}
	}
	return string(party.OwnerKind)
}

func (s *Server) statementOf(w http.ResponseWriter, r *http.Request, p *Page) (*ledger.Account, []lineRow, bool) {
	id, err := pagePathID(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return nil, nil, false
	}
	p.Form = r.URL.Query()
	f, err := statementFilter(p.Form, p.Territory.Location())
	if err != nil {
		s.renderError(w, r, err)
		return nil, nil, false
	}
	if strings.HasSuffix(r.URL.Path, ".csv") {
		f.Limit = 10_000
	}
	acc, lines, err := s.Ledger.Statement(r.Context(), p.Actor, p.Territory, id, f)
	if err != nil {
		s.renderError(w, r, err)
		return nil, nil, false
	}
	names := map[int64]string{}
	rows := make([]lineRow, 0, len(lines))
	for _, l := range lines {
		rows = append(rows, lineRow{L: l, Amount: amountText(l.Amount, acc.Currency, acc.Decimals, p.Lang),
			Party: s.partyName(r.Context(), p, l.Counterparty, names), Reversible: ledger.Reversible(l.Kind)})
	}
	return acc, rows, true
}

func (s *Server) ledgerStatement(w http.ResponseWriter, r *http.Request) {
	p, ok := s.memberPage(w, r, "ledger.statement_title")
	if !ok {
		return
	}
	acc, rows, ok := s.statementOf(w, r, p)
	if !ok {
		return
	}
	csvURL := "/t/" + p.Territory.Slug + "/ledger/accounts/" + strconv.FormatInt(acc.ID, 10) + "/statement.csv"
	if q := r.URL.RawQuery; q != "" {
		csvURL += "?" + q
	}
	p.Data = map[string]any{"Account": rowOf(acc, p.Lang), "Lines": rows, "Categories": ledger.Categories, "CSV": csvURL,
		"Admin": p.Can("admin"), "Self": r.URL.RequestURI(),
		"Kinds": []ledger.EntryKind{ledger.EntryTransfer, ledger.EntryTimebank, ledger.EntryPayment, ledger.EntryDeposit,
			ledger.EntryRedemption, ledger.EntryReversal, ledger.EntryPartner}}
	s.render(w, r, http.StatusOK, "ledger_statement", p)
}

// ledgerStatementCSV writes the filtered statement (up to 10,000 lines)
// with amounts in the smallest unit and as people read them.
func (s *Server) ledgerStatementCSV(w http.ResponseWriter, r *http.Request) {
	p, ok := s.memberPage(w, r, "ledger.statement_title")
	if !ok {
		return
	}
	acc, rows, ok := s.statementOf(w, r, p)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="statement-`+acc.Currency+`-`+strconv.FormatInt(acc.ID, 10)+`.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"entry_id", "date", "kind", "category", "reason", "counterparty", "amount", "amount_text", "currency"})
	for _, l := range rows {
		_ = cw.Write([]string{strconv.FormatInt(l.L.EntryID, 10), l.L.CreatedAt.Format(time.RFC3339), string(l.L.Kind), l.L.Category,
			csvSafe(l.L.Reason), csvSafe(l.Party), strconv.FormatInt(l.L.Amount, 10), l.Amount, acc.Currency})
	}
	cw.Flush()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

type transferView struct {
	Sources    []fromOption
	Currencies []*ledger.Currency
	Categories []string
	Warning    string // near the limit: confirm to go on
	Accounts   []accountRow
}

func (s *Server) renderTransfer(w http.ResponseWriter, r *http.Request, p *Page, status int, warning string) {
	curs, err := s.Ledger.Currencies(r.Context(), p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sources, accs, err := s.transferSources(r.Context(), p, p.Form.Get("from"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if p.Form.Get("idem") == "" {
		// One key per form shown: a double click or a resent form pays once.
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		p.Form.Set("idem", "form-"+hex.EncodeToString(b))
	}
	p.Data = transferView{Sources: sources, Currencies: curs, Categories: ledger.Categories, Warning: warning, Accounts: rowsOf(accs, p.Lang)}
	s.render(w, r, status, "ledger_transfer", p)
}

func (s *Server) ledgerTransferForm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.memberPage(w, r, "ledger.transfer_title")
	if !ok {
		return
	}
	p.Form = r.URL.Query()
	if p.Form.Get("currency") == "" {
		p.Form.Set("currency", ledger.TimeCode)
	}
	s.renderTransfer(w, r, p, http.StatusOK, "")
}

// parseAmountField reads the amount of a form: a duration for TIME, a
// decimal in the currency's places otherwise.
func (s *Server) parseAmountField(r *http.Request, ter *territory.Territory, code, field, value string) (int64, *ledger.Currency, error) {
	cur, err := s.Ledger.Currency(r.Context(), ter, code)
	if err != nil {
		return 0, nil, err
	}
	var n int64
	if cur.Kind == ledger.KindTime {
		n, err = ledger.ParseMinutes(value)
	} else {
		n, err = ledger.ParseAmount(value, cur.Decimals)
	}
	if e, ok := errs.As(err); ok && len(e.Fields) == 0 {
		err = errs.Fields([]errs.FieldError{{Field: field, Key: e.Key, Args: e.Args}})
	}
	return n, cur, err
}

func (s *Server) ledgerTransfer(w http.ResponseWriter, r *http.Request) {
	p, ok := s.memberPage(w, r, "ledger.transfer_title")
	if !ok {
		return
	}
	if !s.limits.Post("ledger:" + strconv.FormatInt(p.Actor.UserID, 10)) {
		s.renderError(w, r, errs.E(errs.TooManyRequests, "err.too_many_requests"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	_ = r.ParseForm()
	p.Form = r.PostForm
	ctx, f := r.Context(), r.PostForm
	fail := func(err error) {
		if k := errs.KindOf(err); k == errs.Internal || k == errs.Unauthenticated {
			s.renderError(w, r, err)
			return
		}
		p.setErr(err)
		s.renderTransfer(w, r, p, statusOf(errs.KindOf(err)), "")
	}
	amount, cur, err := s.parseAmountField(r, p.Territory, f.Get("currency"), "amount", f.Get("amount"))
	if err != nil {
		fail(err)
		return
	}
	to, err := s.Ledger.MemberByEmail(ctx, p.Actor, p.Territory, "to", f.Get("to"))
	if err != nil {
		fail(err)
		return
	}
	if f.Get("confirm_near") == "" {
		check, err := s.Ledger.Preview(ctx, p.Actor, p.Territory, f.Get("from"), cur.Code, amount)
		if err != nil {
			fail(err)
			return
		}
		if check.Near {
			warn := p.L.T("ledger.near_limit", map[string]any{
				"After": amountText(check.After, cur.Code, cur.Decimals, p.Lang),
				"Limit": amountText(*check.Account.Lower, cur.Code, cur.Decimals, p.Lang)})
			s.renderTransfer(w, r, p, http.StatusOK, warn)
			return
		}
	}
	tr, err := s.Ledger.Transfer(ctx, p.Actor, p.Territory, ledger.TransferInput{To: "member:" + strconv.FormatInt(to, 10), From: f.Get("from"),
		Currency: cur.Code, Amount: amount, Reason: f.Get("reason"), Category: f.Get("category"), IdemKey: f.Get("idem")})
	if err != nil {
		fail(err)
		return
	}
	s.flash(r, p.L.T("ledger.transfer_done", map[string]any{"Amount": amountText(tr.Amount, cur.Code, cur.Decimals, p.Lang)}))
	http.Redirect(w, r, "/t/"+p.Territory.Slug+"/ledger/accounts/"+strconv.FormatInt(tr.From, 10), http.StatusSeeOther)
}

type recordRow struct {
	R        *ledger.Record
	Hours    string
	Provider string
	Receiver string
	IamProv  bool
	CanAct   []string
	Dispute  bool
}

func (s *Server) recordRows(ctx context.Context, p *Page, list []*ledger.Record) []recordRow {
	names := map[int64]string{}
	name := func(id int64) string {
		if id == p.Actor.UserID {
			return p.L.T("ledger.you")
		}
		return s.partyName(ctx, p, &ledger.Party{OwnerKind: ledger.OwnerMember, OwnerID: id}, names)
	}
	now := s.Now()
	out := make([]recordRow, 0, len(list))
	for _, rec := range list {
		row := recordRow{R: rec, Hours: amountText(rec.Minutes, ledger.TimeCode, 0, p.Lang), Provider: name(rec.ProviderID),
			Receiver: name(rec.ReceiverID), IamProv: rec.ProviderID == p.Actor.UserID}
		switch {
		case rec.Status == ledger.RecordPending && rec.ReceiverID == p.Actor.UserID:
			row.CanAct = []string{"confirm", "decline"}
		case rec.Status == ledger.RecordPosted && rec.ProviderID == p.Actor.UserID:
			row.CanAct = []string{"confirm"}
		}
		row.Dispute = (rec.Status == ledger.RecordPosted || rec.Status == ledger.RecordConfirmed) &&
			rec.DisputeUntil != nil && now.Before(*rec.DisputeUntil) &&
			(rec.ProviderID == p.Actor.UserID || rec.ReceiverID == p.Actor.UserID)
		out = append(out, row)
	}
	return out
}

func (s *Server) renderTimebank(w http.ResponseWriter, r *http.Request, p *Page, status int) {
	list, err := s.Ledger.MyRecords(r.Context(), p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	acc, err := s.Ledger.MyAccount(r.Context(), p.Actor, p.Territory, ledger.TimeCode)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	set, err := s.Ledger.Settings(r.Context(), p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Data = map[string]any{"Records": s.recordRows(r.Context(), p, list), "Categories": ledger.Categories,
		"Account": rowOf(acc, p.Lang), "DisputeDays": set.DisputeDays}
	s.render(w, r, status, "ledger_timebank", p)
}

func (s *Server) timebankPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.memberPage(w, r, "ledger.timebank_title")
	if !ok {
		return
	}
	p.Form = url.Values{"role": {"receiver"}}
	s.renderTimebank(w, r, p, http.StatusOK)
}

func (s *Server) timebankRecord(w http.ResponseWriter, r *http.Request) {
	p, ok := s.memberPage(w, r, "ledger.timebank_title")
	if !ok {
		return
	}
	if !s.limits.Post("ledger:" + strconv.FormatInt(p.Actor.UserID, 10)) {
		s.renderError(w, r, errs.E(errs.TooManyRequests, "err.too_many_requests"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	_ = r.ParseForm()
	p.Form = r.PostForm
	ctx, f := r.Context(), r.PostForm
	rec, err := func() (*ledger.Record, error) {
		minutes, err := ledger.ParseMinutes(f.Get("hours"))
		if e, ok := errs.As(err); ok && len(e.Fields) == 0 {
			return nil, errs.Fields([]errs.FieldError{{Field: "hours", Key: e.Key, Args: e.Args}})
		}
		other, err2 := s.Ledger.MemberByEmail(ctx, p.Actor, p.Territory, "other", f.Get("other"))
		if err != nil || err2 != nil {
			return nil, mergeLedgerFields(err, err2)
		}
		return s.Ledger.RecordService(ctx, p.Actor, p.Territory, ledger.RecordInput{ActorProvided: f.Get("role") == "provider",
			Other: other, Minutes: minutes, Category: f.Get("category"), Description: f.Get("description")})
	}()
	if err != nil {
		if k := errs.KindOf(err); k == errs.Internal || k == errs.Unauthenticated {
			s.renderError(w, r, err)
			return
		}
		p.setErr(err)
		s.renderTimebank(w, r, p, statusOf(errs.KindOf(err)))
		return
	}
	key := "ledger.recorded_posted"
	if rec.Status == ledger.RecordPending {
		key = "ledger.recorded_pending"
	}
	s.flash(r, p.L.T(key))
	http.Redirect(w, r, "/t/"+p.Territory.Slug+"/timebank", http.StatusSeeOther)
}

// mergeLedgerFields joins two form errors into one list of fields.
func mergeLedgerFields(a, b error) error {
	var fields []errs.FieldError
	for _, err := range []error{a, b} {
		if err == nil {
			continue
		}
		e, ok := errs.As(err)
		if !ok || len(e.Fields) == 0 {
			return err
		}
		fields = append(fields, e.Fields...)
	}
	return errs.Fields(fields)
}

func (s *Server) timebankAction(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	rec, err := s.Ledger.ActOnRecord(r.Context(), p.Actor, p.Territory, id, ledger.RecordAction(r.PostForm.Get("action")), r.PostForm.Get("note"))
	next := r.PostForm.Get("next")
	if next == "" {
		next = "/t/" + p.Territory.Slug + "/timebank"
	}
	msg := ""
	if err == nil {
		msg = p.L.T("ledger.record_now_" + string(rec.Status))
	}
	s.done(w, r, err, msg, next)
}
