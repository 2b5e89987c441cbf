package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/ledger"
	"github.com/sharingcity/sharingcity/internal/offers"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

type accountOut struct {
	ID       int64  `json:"id"`
	Currency string `json:"currency"`
	Balance  int64  `json:"balance"`
}

type transferOut struct {
	ID       int64 `json:"id"`
	From     int64 `json:"from"`
	To       int64 `json:"to"`
	Amount   int64 `json:"amount"`
	Replayed bool  `json:"replayed"`
}

type errorOut struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func myAccounts(t *testing.T, e *testEnv, tok string) []accountOut {
	t.Helper()
	resp := e.do(nil, "GET", "/api/v1/territories/test/accounts/me", tok, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("accounts/me: %d %s", resp.StatusCode, readBody(resp))
	}
	return decode[struct{ Accounts []accountOut }](t, resp).Accounts
}

func TestLedgerAPIContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		_, tokA := e.member("a@example.org", access.Member)
		_, tokB := e.member("b@example.org", access.Member)
		accA, accB := myAccounts(t, e, tokA), myAccounts(t, e, tokB)
		if len(accA) != 1 || accA[0].Currency != "TIME" || accA[0].Balance != 0 {
			t.Fatalf("accounts %+v", accA)
		}
		base := "/api/v1/territories/test/transfers"
		body := map[string]any{"to": accB[0].ID, "currency": "TIME", "amount": 120, "reason": "jardin"}
		resp := e.do(nil, "POST", base, tokA, body, "Idempotency-Key", "abc-1")
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("transfer: %d %s", resp.StatusCode, readBody(resp))
		}
		first := decode[transferOut](t, resp)
		resp = e.do(nil, "POST", base, tokA, body, "Idempotency-Key", "abc-1")
		again := decode[transferOut](t, resp)
		if resp.StatusCode != http.StatusOK || again.ID != first.ID || !again.Replayed || resp.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %+v", resp.StatusCode, again)
		}
		if got := myAccounts(t, e, tokB)[0].Balance; got != 120 {
			t.Fatalf("B has %d, units moved twice?", got)
		}
		// "to" as a holder reference string.
		resp = e.do(nil, "POST", base, tokB, map[string]any{"to": "member:999999", "currency": "TIME", "amount": 1}, "Accept-Language", "en")
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad member ref: %d %s", resp.StatusCode, readBody(resp))
		}
		// Bad input: clear 4xx.
		other := &territory.Territory{Slug: "other", Name: "Other", BBox: geo.BBox{MinLon: 2.2, MinLat: 48.8, MaxLon: 2.4, MaxLat: 48.9}}
		if err := e.territories.Create(context.Background(), access.SystemActor(), other); err != nil {
			t.Fatal(err)
		}
		u, _ := e.accounts.UserByEmail(context.Background(), "b@example.org")
		ob, err := e.ledger.MyAccount(context.Background(), access.Actor{UserID: u.ID, Roles: map[int64]access.Role{other.ID: access.Member}}, other, "TIME")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			body   any
			status int
			want   string
		}{
			{"zero", map[string]any{"to": accB[0].ID, "currency": "TIME", "amount": 0}, 400, "more than zero"},
			{"negative", map[string]any{"to": accB[0].ID, "currency": "TIME", "amount": -5}, 400, "more than zero"},
			{"float", `{"to": 1, "currency": "TIME", "amount": 1.5}`, 400, ""},
			{"unknown currency", map[string]any{"to": accB[0].ID, "currency": "EUR", "amount": 5}, 400, "no currency EUR"},
			{"other territory", map[string]any{"to": ob.ID, "currency": "TIME", "amount": 5}, 400, "another territory"},
			{"beyond limit", map[string]any{"to": accB[0].ID, "currency": "TIME", "amount": 481}, 409, "below your limit of -10 h"},
		} {
			resp := e.do(nil, "POST", base, tokA, tc.body, "Accept-Language", "en")
			out := readBody(resp)
			if resp.StatusCode != tc.status || !strings.Contains(out, tc.want) {
				t.Errorf("%s: %d %s", tc.name, resp.StatusCode, out)
			}
		}
		if resp := e.do(nil, "POST", base, "", body); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous: %d", resp.StatusCode)
		}
		// Statement, with filters.
		resp = e.do(nil, "GET", "/api/v1/territories/test/accounts/"+strconv.FormatInt(accA[0].ID, 10)+"/statement?from=2000-01-01", tokA, nil)
		st := decode[struct {
			Lines []ledger.Line `json:"lines"`
		}](t, resp)
		if len(st.Lines) != 1 || st.Lines[0].Amount != -120 {
			t.Fatalf("statement %+v", st)
		}
		if resp := e.do(nil, "GET", "/api/v1/territories/test/accounts/"+strconv.FormatInt(accA[0].ID, 10)+"/statement", tokB, nil); resp.StatusCode != 404 {
			t.Fatalf("B reads A's statement: %d", resp.StatusCode)
		}
		if resp := e.do(nil, "GET", "/api/v1/territories/test/accounts/"+strconv.FormatInt(accA[0].ID, 10)+"/statement?from=yesterday", tokA, nil); resp.StatusCode != 400 {
			t.Fatalf("bad date: %d", resp.StatusCode)
		}
	})
}

// TestExchangePaysInTime: a listing priced in TIME pays its owner from the
// requester when both mark the exchange done, once.
func TestExchangePaysInTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		_, tokA := e.member("a@example.org", access.Member)
		_, tokB := e.member("b@example.org", access.Member)
		resp := e.do(nil, "POST", "/api/v1/territories/test/listings", tokA, map[string]any{"mode": "service", "title": "Taille de haie",
			"category": "goods_tools", "lat": 45.18, "lon": 5.72})
		if resp.StatusCode != 201 {
			t.Fatalf("listing: %d %s", resp.StatusCode, readBody(resp))
		}
		l := decode[struct{ ID int64 }](t, resp)
		lp := "/api/v1/territories/test/listings/" + strconv.FormatInt(l.ID, 10)
		if resp := e.do(nil, "PUT", lp+"/price", tokB, map[string]any{"currency": "TIME", "amount": 90}); resp.StatusCode != 403 {
			t.Fatalf("B prices A's listing: %d", resp.StatusCode)
		}
		if resp := e.do(nil, "PUT", lp+"/price", tokA, map[string]any{"currency": "TIME", "amount": 90, "category": "gardening"}); resp.StatusCode != 200 {
			t.Fatalf("price: %d %s", resp.StatusCode, readBody(resp))
		}
		resp = e.do(nil, "POST", lp+"/exchanges", tokB, map[string]any{"message": "ok"})
		ex := decode[offers.Exchange](t, resp)
		xp := "/api/v1/territories/test/exchanges/" + strconv.FormatInt(ex.ID, 10)
		for _, step := range []struct{ tok, path string }{{tokA, "/accept"}, {tokA, "/done"}, {tokB, "/done"}} {
			if resp := e.do(nil, "POST", xp+step.path, step.tok, nil); resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", step.path, resp.StatusCode, readBody(resp))
			}
		}
		resp = e.do(nil, "GET", xp, tokA, nil)
		done := decode[offers.Exchange](t, resp)
		if done.Status != offers.ExchangeDone || done.Payment == nil || done.Payment.TransferID == "" {
			t.Fatalf("exchange %+v", done)
		}
		if a, b := myAccounts(t, e, tokA)[0].Balance, myAccounts(t, e, tokB)[0].Balance; a != 90 || b != -90 {
			t.Fatalf("balances %d %d", a, b)
		}
		res, err := e.ledger.Verify(context.Background())
		if err != nil || !res.OK() {
			t.Fatalf("verify %+v %v", res, err)
		}
	})
}

func TestLedgerPages(t *testing.T) {
	e := newTestEnv(t, nil)
	ca, _ := e.member("a@example.org", access.Member)
	cb, _ := e.member("b@example.org", access.Member)
	admin, _ := e.member("admin@example.org", access.Admin)
	if resp := e.get(nil, "/t/test/ledger"); resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous ledger: %d", resp.StatusCode)
	}
	// B records 1 h 30 of gardening done by A; A confirms.
	resp := e.form(cb, "/t/test/timebank", url.Values{"role": {"receiver"}, "other": {"a@example.org"}, "hours": {"1:30"}, "category": {"gardening"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("record: %d %s", resp.StatusCode, readBody(resp))
	}
	body := readBody(e.get(ca, "/t/test/timebank"))
	if !strings.Contains(body, "1 h 30") || !strings.Contains(body, `value="confirm"`) {
		t.Fatalf("A's time bank: %s", body)
	}
	// The transfer form warns near the limit, then refuses beyond it.
	resp = e.form(cb, "/t/test/ledger/transfer", url.Values{"to": {"a@example.org"}, "currency": {"TIME"}, "amount": {"8"}})
	body = readBody(resp)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="near-limit"`) {
		t.Fatalf("near limit: %d %s", resp.StatusCode, body)
	}
	resp = e.form(cb, "/t/test/ledger/transfer", url.Values{"to": {"a@example.org"}, "currency": {"TIME"}, "amount": {"9"}})
	body = readBody(resp)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "limite de -10 h") {
		t.Fatalf("beyond limit: %d %s", resp.StatusCode, body)
	}
	confirmed := url.Values{"to": {"a@example.org"}, "currency": {"TIME"}, "amount": {"8"}, "confirm_near": {"1"}, "reason": {"=cmd"}, "idem": {"form-1"}}
	for i := 0; i < 2; i++ { // the form sent twice pays once
		resp = e.form(cb, "/t/test/ledger/transfer", confirmed)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirmed: %d %s", resp.StatusCode, readBody(resp))
		}
	}
	loc := resp.Header.Get("Location")
	body = readBody(e.get(cb, loc))
	if !strings.Contains(body, "-9 h 30") || !strings.Contains(body, "Jardinage") && !strings.Contains(body, "jardinage") {
		t.Fatalf("statement: %s", body)
	}
	csv := readBody(e.get(cb, loc+"/statement.csv"))
	if !strings.HasPrefix(csv, "entry_id,date,kind") || !strings.Contains(csv, ",-480,") || !strings.Contains(csv, "'=cmd") {
		t.Fatalf("csv: %s", csv)
	}
	if resp := e.get(ca, loc); resp.StatusCode != 404 {
		t.Fatalf("A reads B's statement: %d", resp.StatusCode)
	}
	// English, and the administrators' pages.
	if body := readBody(e.get(cb, "/t/test/ledger?lang=en")); !strings.Contains(body, "My accounts") {
		t.Fatalf("english: %.300s", body)
	}
	if resp := e.get(ca, "/t/test/ledger/admin"); resp.StatusCode != 403 {
		t.Fatalf("member on admin page: %d", resp.StatusCode)
	}
	resp = e.form(admin, "/t/test/ledger/admin", url.Values{"form": {"currency"}, "code": {"GONETTE"}, "name": {"Gonette"}, "decimals": {"2"}, "kind": {"issued"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("currency: %d %s", resp.StatusCode, readBody(resp))
	}
	resp = e.form(admin, "/t/test/ledger/admin", url.Values{"form": {"deposit"}, "currency": {"GONETTE"}, "account": {"a@example.org"}, "euros": {"25,50"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deposit: %d %s", resp.StatusCode, readBody(resp))
	}
	body = readBody(e.get(admin, "/t/test/ledger/admin"))
	if !strings.Contains(body, "GONETTE") || !strings.Contains(body, "9 h 30") {
		t.Fatalf("admin: %s", body)
	}
	body = readBody(e.get(admin, "/t/test/ledger/admin/sheet/GONETTE"))
	if !strings.Contains(body, "25,50") || !strings.Contains(body, "couvertes exactement") {
		t.Fatalf("sheet: %s", body)
	}
}

// TestLedgerInMemberExport: a member's data export carries their accounts
// and the postings on them, and not the other side's accounts.
func TestLedgerInMemberExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		a, tokA := e.member("a@example.org", access.Member)
		_, tokB := e.member("b@example.org", access.Member)
		accB := myAccounts(t, e, tokB)
		resp := e.do(nil, "POST", "/api/v1/territories/test/transfers", tokA,
			map[string]any{"to": accB[0].ID, "currency": "TIME", "amount": 90, "reason": "taille de la haie"}, "Idempotency-Key", "export-1")
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("transfer: %d %s", resp.StatusCode, readBody(resp))
		}
		readBody(resp)
		type exported struct {
			Ledger ledger.MemberData `json:"ledger"`
		}
		got := decode[exported](t, e.get(a, "/account/export")).Ledger
		if len(got.Accounts) != 1 || got.Accounts[0].Currency != "TIME" || got.Accounts[0].Balance != -90 {
			t.Fatalf("accounts in the export: %+v", got.Accounts)
		}
		if len(got.Postings) != 1 || got.Postings[0].Amount != -90 || got.Postings[0].Reason != "taille de la haie" {
			t.Fatalf("postings in the export: %+v", got.Postings)
		}
		for _, acc := range got.Accounts {
			if acc.ID == accB[0].ID {
				t.Fatal("the export holds the other member's account")
			}
		}
	})
}

// TestLedgerOrganisationPages: an organisation's administrator sees its
// balances and statement and pays from its account; its other members
// only read; outsiders see nothing.
func TestLedgerOrganisationPages(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	boss, _ := e.member("boss@example.org", access.Member)
	worker, _ := e.member("worker@example.org", access.Member)
	outsider, _ := e.member("a@example.org", access.Member)
	org, err := e.accounts.CreateOrganisation(ctx, e.memberActor(e.userID("boss@example.org")), e.ter.ID,
		account.Organisation{Name: "Repair Café", Kind: "association"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.accounts.AddOrgMember(ctx, e.memberActor(e.userID("boss@example.org")), e.ter.ID, org.ID, "worker@example.org", "member"); err != nil {
		t.Fatal(err)
	}
	orgPage := "/t/test/ledger/organisations/" + strconv.FormatInt(org.ID, 10)
	if body := readBody(e.get(boss, "/t/test/ledger")); !strings.Contains(body, orgPage) {
		t.Fatalf("no link to the organisation's accounts: %s", body)
	}
	body := readBody(e.get(boss, orgPage))
	if !strings.Contains(body, "Comptes de Repair Café") || !strings.Contains(body, "TIME") {
		t.Fatalf("organisation page: %s", body)
	}
	from := "organisation:" + strconv.FormatInt(org.ID, 10)
	if body := readBody(e.get(boss, "/t/test/ledger/transfer?from="+from)); !strings.Contains(body, `<option value="`+from+`" selected>Repair Café`) {
		t.Fatalf("transfer form: %s", body)
	}
	pay := url.Values{"from": {from}, "to": {"a@example.org"}, "currency": {"TIME"}, "amount": {"2"}, "reason": {"Atelier"},
		"category": {"repairs"}, "confirm_near": {"1"}, "idem": {"org-1"}}
	resp := e.form(boss, "/t/test/ledger/transfer", pay)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("pay from the organisation: %d %s", resp.StatusCode, readBody(resp))
	}
	loc := resp.Header.Get("Location")
	if body := readBody(e.get(boss, loc+"?category=repairs")); !strings.Contains(body, "-2 h") || !strings.Contains(body, "Atelier") {
		t.Fatalf("organisation statement: %s", body)
	}
	if csv := readBody(e.get(worker, loc+"/statement.csv")); !strings.Contains(csv, ",-120,") {
		t.Fatalf("csv for a member of the organisation: %s", csv)
	}
	// A member who is not its administrator reads but does not pay.
	if resp := e.get(worker, orgPage); resp.StatusCode != 200 {
		t.Fatalf("member of the organisation: %d", resp.StatusCode)
	}
	pay.Set("idem", "org-2")
	resp = e.form(worker, "/t/test/ledger/transfer?lang=en", pay)
	if body := readBody(resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Only the organisation&#39;s administrators") {
		t.Fatalf("worker pays: %d %s", resp.StatusCode, body)
	}
	if resp := e.get(outsider, orgPage); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("outsider: %d", resp.StatusCode)
	}
	if resp := e.get(outsider, loc); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outsider reads the statement: %d", resp.StatusCode)
	}
	if body := readBody(e.get(boss, orgPage+"?lang=en")); !strings.Contains(body, "Accounts of Repair Café") {
		t.Fatalf("english: %s", body)
	}
}

// TestLedgerReversalPages: a territory administrator reverses an entry
// from a statement with a reason; both sides' statements show the
// reversal, and the entry cannot be reversed twice.
func TestLedgerReversalPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ca, tokA := e.member("a@example.org", access.Member)
		cb, tokB := e.member("b@example.org", access.Member)
		admin, _ := e.member("admin@example.org", access.Admin)
		accA, accB := myAccounts(t, e, tokA)[0], myAccounts(t, e, tokB)[0]
		resp := e.do(nil, "POST", "/api/v1/territories/test/transfers", tokA, map[string]any{"to": accB.ID, "currency": "TIME", "amount": 45, "reason": "erreur"})
		tr := decode[transferOut](t, resp)
		stA := "/t/test/ledger/accounts/" + strconv.FormatInt(accA.ID, 10)
		stB := "/t/test/ledger/accounts/" + strconv.FormatInt(accB.ID, 10)
		if body := readBody(e.get(ca, stA)); strings.Contains(body, `name="form" value="reverse"`) {
			t.Fatal("a member is offered to reverse")
		}
		body := readBody(e.get(admin, stA))
		if !strings.Contains(body, `name="entry_id" value="`+strconv.FormatInt(tr.ID, 10)+`"`) {
			t.Fatalf("no reversal form for the administrator: %s", body)
		}
		form := url.Values{"form": {"reverse"}, "entry_id": {strconv.FormatInt(tr.ID, 10)}, "next": {stA}}
		if resp := e.form(ca, "/t/test/ledger/admin", form); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("member reverses: %d", resp.StatusCode)
		}
		resp = e.form(admin, "/t/test/ledger/admin", form)
		if body := readBody(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Indiquez pourquoi") {
			t.Fatalf("no reason: %d %s", resp.StatusCode, body)
		}
		form.Set("reason", "Saisie en double")
		resp = e.form(admin, "/t/test/ledger/admin", form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != stA {
			t.Fatalf("reverse: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), readBody(resp))
		}
		for _, c := range []struct {
			client *http.Client
			path   string
		}{{ca, stA}, {cb, stB}} {
			body := readBody(e.get(c.client, c.path+"?kind=reversal"))
			if !strings.Contains(body, "Saisie en double") || !strings.Contains(body, "Annulation") && !strings.Contains(body, "annulation") {
				t.Fatalf("statement %s: %s", c.path, body)
			}
		}
		if body := readBody(e.get(admin, stB)); !strings.Contains(body, "annulée par l&#39;écriture n°") {
			t.Fatalf("reversed mark: %s", body)
		}
		if a, b := myAccounts(t, e, tokA)[0].Balance, myAccounts(t, e, tokB)[0].Balance; a != 0 || b != 0 {
			t.Fatalf("balances after reversal %d %d", a, b)
		}
		if resp := e.form(admin, "/t/test/ledger/admin", form); resp.StatusCode != http.StatusConflict {
			t.Fatalf("reversed twice: %d", resp.StatusCode)
		}
	})
}

// TestListingLedgerPrice: the owner sets, changes and removes a listing's
// price in the ledger from the listing's edit form.
func TestListingLedgerPrice(t *testing.T) {
	e := newTestEnv(t, nil)
	owner, tok := e.member("a@example.org", access.Member)
	other, _ := e.member("b@example.org", access.Member)
	resp := e.do(nil, "POST", "/api/v1/territories/test/listings", tok, map[string]any{"mode": "service", "title": "Taille de haie",
		"category": "goods_tools", "lat": 45.18, "lon": 5.72})
	if resp.StatusCode != 201 {
		t.Fatalf("listing: %d %s", resp.StatusCode, readBody(resp))
	}
	id := decode[struct{ ID int64 }](t, resp).ID
	l, err := e.offers.Get(context.Background(), e.memberActor(e.userID("a@example.org")), e.ter, id)
	if err != nil {
		t.Fatal(err)
	}
	edit := "/t/test/listings/" + strconv.FormatInt(id, 10) + "/edit"
	if body := readBody(e.get(owner, edit)); !strings.Contains(body, `name="ledger_currency"`) || !strings.Contains(body, "Prix en heures") {
		t.Fatalf("edit form: %s", body)
	}
	price := func() (int64, string) { return listingPrice(t, e, id) }
	form := formOfListing(l)
	form.Set("ledger_currency", "TIME")
	form.Set("ledger_amount", "1:30")
	if resp := e.form(owner, edit, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, readBody(resp))
	}
	if n, code := price(); n != 90 || code != "TIME" {
		t.Fatalf("price %d %s", n, code)
	}
	if body := readBody(e.get(owner, edit+"?lang=en")); !strings.Contains(body, `value="1 h 30"`) || !strings.Contains(body, "Price in hours") {
		t.Fatalf("edit form shows the price: %s", body)
	}
	form.Set("ledger_amount", "1,333")
	resp = e.form(owner, edit, form)
	if body := readBody(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-ledger_amount-error"`) {
		t.Fatalf("bad amount: %d %s", resp.StatusCode, body)
	}
	form.Set("ledger_currency", "NOPE")
	resp = e.form(owner, edit, form)
	if body := readBody(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-ledger_currency-error"`) {
		t.Fatalf("unknown currency: %d %s", resp.StatusCode, body)
	}
	if resp := e.form(other, edit, form); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("another member edits: %d", resp.StatusCode)
	}
	form.Set("ledger_currency", "")
	if resp := e.form(owner, edit, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove the price: %d %s", resp.StatusCode, readBody(resp))
	}
	if n, _ := price(); n != 0 {
		t.Fatalf("price still %d", n)
	}
}

// TestLedgerSettings: administrators change the dispute delay on the
// overview page and through the API; members see it on the time bank.
func TestLedgerSettings(t *testing.T) {
	e := newTestEnv(t, nil)
	member, tokM := e.member("a@example.org", access.Member)
	admin, tokA := e.member("admin@example.org", access.Admin)
	if body := readBody(e.get(member, "/t/test/timebank")); !strings.Contains(body, "pendant 14 jours") {
		t.Fatalf("default delay: %s", body)
	}
	if body := readBody(e.get(admin, "/t/test/ledger/admin")); !strings.Contains(body, `name="dispute_days" type="number" value="14"`) {
		t.Fatalf("settings form: %s", body)
	}
	resp := e.form(admin, "/t/test/ledger/admin", url.Values{"form": {"settings"}, "dispute_days": {"0"}})
	if body := readBody(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "entre 1 et 365 jours") {
		t.Fatalf("bad delay: %d %s", resp.StatusCode, body)
	}
	if resp := e.form(admin, "/t/test/ledger/admin", url.Values{"form": {"settings"}, "dispute_days": {"7"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, readBody(resp))
	}
	if body := readBody(e.get(member, "/t/test/timebank")); !strings.Contains(body, "pendant 7 jours") {
		t.Fatalf("new delay: %s", body)
	}
	const api = "/api/v1/territories/test/ledger/settings"
	if resp := e.do(nil, "PUT", api, tokM, map[string]any{"dispute_days": 3}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("member PUT: %d", resp.StatusCode)
	}
	if resp := e.do(nil, "PUT", api, tokA, map[string]any{"dispute_days": 400}, "Accept-Language", "en"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("PUT 400 days: %d", resp.StatusCode)
	}
	if resp := e.do(nil, "PUT", api, tokA, map[string]any{"dispute_days": 21}); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %d %s", resp.StatusCode, readBody(resp))
	}
	if got := decode[ledger.Settings](t, e.do(nil, "GET", api, "", nil)); got.DisputeDays != 21 {
		t.Fatalf("GET %+v", got)
	}
}

// TestDeleteAccountWithBalance: a member with a ledger balance cannot
// delete their account until it is settled (here by an administrator,
// through the territory's account); a failed deletion leaves the
// accounts open.
func TestDeleteAccountWithBalance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ca, tokA := e.member("a@example.org", access.Member)
		_, tokB := e.member("b@example.org", access.Member)
		admin, _ := e.member("admin@example.org", access.Admin)
		accA, accB := myAccounts(t, e, tokA)[0], myAccounts(t, e, tokB)[0]
		resp := e.do(nil, "POST", "/api/v1/territories/test/transfers", tokA, map[string]any{"to": accB.ID, "currency": "TIME", "amount": 120})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("transfer: %d %s", resp.StatusCode, readBody(resp))
		}
		readBody(resp)
		resp = e.form(ca, "/account/delete", url.Values{"password": {"correct horse battery"}})
		if body := readBody(resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "-2 h TIME (Testville)") {
			t.Fatalf("delete with a balance: %d %s", resp.StatusCode, body)
		}
		// A wrong password: refused, and the accounts stay open.
		if resp := e.form(ca, "/account/delete", url.Values{"password": {"wrong"}}); resp.StatusCode == http.StatusSeeOther {
			t.Fatal("deleted with a wrong password")
		}
		settle := url.Values{"form": {"settle"}, "account_id": {strconv.FormatInt(accA.ID, 10)}, "reason": {"Départ de A"}}
		if resp := e.form(admin, "/t/test/ledger/admin", settle); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("settle: %d %s", resp.StatusCode, readBody(resp))
		}
		if got := myAccounts(t, e, tokA)[0].Balance; got != 0 {
			t.Fatalf("A after settling: %d", got)
		}
		resp = e.form(ca, "/account/delete", url.Values{"password": {"wrong"}})
		readBody(resp)
		resp = e.do(nil, "POST", "/api/v1/territories/test/transfers", tokB, map[string]any{"to": accA.ID, "currency": "TIME", "amount": 5})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("A's account closed by a failed deletion: %d %s", resp.StatusCode, readBody(resp))
		}
		readBody(resp)
		resp = e.do(nil, "POST", "/api/v1/territories/test/accounts/"+strconv.FormatInt(accA.ID, 10)+"/settle", tokB, map[string]any{"reason": "x"})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("member settles by API: %d", resp.StatusCode)
		}
		readBody(resp)
		if resp := e.form(admin, "/t/test/ledger/admin", settle); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("settle again: %d %s", resp.StatusCode, readBody(resp))
		}
		if resp := e.form(ca, "/account/delete", url.Values{"password": {"correct horse battery"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d %s", resp.StatusCode, readBody(resp))
		}
		res, err := e.ledger.Verify(context.Background())
		if err != nil || !res.OK() {
			t.Fatalf("verify %+v %v", res, err)
		}
	})
}

// listingPrice reads a listing's ledger price from the public API: 0 and
// "" when it has none.
func listingPrice(t *testing.T, e *testEnv, id int64) (int64, string) {
	t.Helper()
	resp := e.do(nil, "GET", "/api/v1/territories/test/listings/"+strconv.FormatInt(id, 10)+"/price", "", nil)
	if resp.StatusCode == http.StatusNotFound {
		readBody(resp)
		return 0, ""
	}
	p := decode[struct {
		Currency string `json:"currency"`
		Amount   int64  `json:"amount"`
	}](t, resp)
	return p.Amount, p.Currency
}

// TestNewListingLedgerPrice: the new-listing form offers the ledger price;
// a good one is saved with the listing, a bad one is a field error and
// creates nothing, no currency creates the listing without a price.
func TestNewListingLedgerPrice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		owner, _ := e.member("a@example.org", access.Member)
		const path = "/t/test/listings/new"
		for lang, want := range map[string]string{"fr": "Prix en heures ou en monnaie locale", "en": "Price in hours or local currency"} {
			body := readBody(e.get(owner, path+"?lang="+lang))
			if !strings.Contains(body, `name="ledger_currency"`) || !strings.Contains(body, want) || !strings.Contains(body, `name="ledger_amount"`) {
				t.Fatalf("new form (%s): %s", lang, body)
			}
		}
		listings := func() int {
			var n int
			if err := db.QueryRow(context.Background(), "SELECT count(*) FROM listings").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		idOf := func(loc string) int64 {
			id, err := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
			if err != nil {
				t.Fatalf("location %q", loc)
			}
			return id
		}
		form := drillForm()
		form.Set("ledger_currency", "TIME")
		form.Set("ledger_amount", "1:30")
		id := idOf(e.seeOther(owner, path, form))
		if n, code := listingPrice(t, e, id); n != 90 || code != "TIME" {
			t.Fatalf("price %d %s", n, code)
		}
		if body := readBody(e.get(owner, "/t/test/listings/"+strconv.FormatInt(id, 10)+"/edit")); !strings.Contains(body, `value="1 h 30"`) {
			t.Fatalf("edit form shows the price: %s", body)
		}
		before := listings()
		for _, tc := range []struct{ lang, currency, amount, field, msg string }{
			{"fr", "TIME", "1,333", "ledger_amount", "Trop de décimales"},
			{"en", "TIME", "1h75", "ledger_amount", "Write a duration"},
			{"en", "TIME", "", "ledger_amount", "Price amount"},
			{"fr", "NOPE", "2", "ledger_currency", "Monnaie du prix"},
		} {
			form.Set("ledger_currency", tc.currency)
			form.Set("ledger_amount", tc.amount)
			resp := e.form(owner, path+"?lang="+tc.lang, form)
			body := readBody(resp)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-`+tc.field+`-error"`) || !strings.Contains(body, tc.msg) {
				t.Fatalf("%+v: %d %s", tc, resp.StatusCode, body)
			}
			if !strings.Contains(body, `value="Perceuse"`) {
				t.Fatalf("%+v: the form lost what was typed", tc)
			}
		}
		if n := listings(); n != before {
			t.Fatalf("refused forms created %d listings", n-before)
		}
		form.Set("ledger_currency", "")
		form.Set("ledger_amount", "")
		id = idOf(e.seeOther(owner, path, form))
		if n, _ := listingPrice(t, e, id); n != 0 {
			t.Fatalf("no price asked, got %d", n)
		}
	})
}

// TestLedgerAdminFormIDs: the overview's forms share field names but not
// ids; a refused form keeps the plain ids its error summary links to.
func TestLedgerAdminFormIDs(t *testing.T) {
	e := newTestEnv(t, nil)
	admin, _ := e.member("admin@example.org", access.Admin)
	body := readBody(e.get(admin, "/t/test/ledger/admin"))
	for id, n := range map[string]int{`id="f-account_id"`: 0, `id="f-settle-account_id"`: 1, `id="f-limits-account_id"`: 1,
		`id="f-settle-reason"`: 1, `id="f-reverse-reason"`: 1} {
		if got := strings.Count(body, id); got != n {
			t.Errorf("%s: %d times, want %d", id, got, n)
		}
	}
	resp := e.form(admin, "/t/test/ledger/admin", url.Values{"form": {"settle"}, "account_id": {"x"}, "reason": {"Départ"}})
	body = readBody(resp)
	if resp.StatusCode != http.StatusBadRequest || strings.Count(body, `id="f-account_id-error"`) != 1 ||
		!strings.Contains(body, `href="#f-account_id"`) || !strings.Contains(body, `id="f-limits-account_id"`) ||
		!strings.Contains(body, `id="f-reason" name="reason" type="text" value="Départ"`) {
		t.Fatalf("refused settle: %d %s", resp.StatusCode, body)
	}
}
