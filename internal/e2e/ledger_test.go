package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/ledger"
)

// TestE2ETimeBank is issue 5's journey in Chromium: B records 2 hours of
// gardening that A did for them, A confirms, both statements show it, and
// a payment beyond B's limit is refused with a clear message. Every page
// is checked with axe-core.
func TestE2ETimeBank(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c := newChecker(t)
	b := startBrowser(t)
	srv := startServer(t)
	f := &flow{t: t, c: c, srv: srv, b: b, run: contribution{lang: "fr"}, L: srv.i18n.Localizer("fr")}
	emailA, emailB := "alice@e2e.example.org", "bruno@e2e.example.org"
	ledgerMembers(t, srv, emailA, emailB)
	tabA, tabB := f.login(t, "A", emailA), f.login(t, "B", emailB)
	ter := "/t/" + slug

	t.Run("B_records_2_hours_of_gardening_by_A", func(t *testing.T) {
		tabB.t = t
		tabB.open(ter + "/")
		tabB.clickAndWait(`nav a[href="` + ter + `/ledger"]`)
		h1(tabB, f.L.T("ledger.home_title"))
		f.page(tabB, "my accounts (B)")
		tabB.clickAndWait(`main a[href="` + ter + `/timebank"]`)
		h1(tabB, f.L.T("ledger.timebank_title"))
		f.page(tabB, "time bank (B)")
		tabB.fill(map[string]string{"f-other": emailA, "f-hours": "2", "f-description": "Taille de la haie"})
		tabB.do("choose gardening", chromedp.SetValue(chromedp.ID("f-category"), "gardening"))
		f.c.screenshot(tabB, "fr-timebank-form")
		tabB.submit("#f-hours")
		if got := flash(tabB); got != f.L.T("ledger.recorded_posted") {
			t.Fatalf("after recording B sees %q: %s", got, tabB.text("main"))
		}
		if got := strings.TrimSpace(tabB.text("#time-balance")); got != "-2 h" {
			t.Errorf("B's hours: %q, want -2 h", got)
		}
		f.page(tabB, "time bank (B, recorded)")
	})

	t.Run("A_confirms", func(t *testing.T) {
		tabA.t = t
		tabA.open(ter + "/timebank")
		rec := tabA.text("ul.records li")
		if !strings.Contains(rec, "2 h") || !strings.Contains(rec, f.L.T("ledger.cat_gardening")) {
			t.Fatalf("A's records: %q", rec)
		}
		f.page(tabA, "time bank (A)")
		tabA.clickAndWait(`ul.records li form input[value="confirm"] + button`)
		if got := flash(tabA); got != f.L.T("ledger.record_now_confirmed") {
			t.Fatalf("after confirming A sees %q: %s", got, tabA.text("main"))
		}
		if got := strings.TrimSpace(tabA.text("ul.records li .status")); got != f.L.T("ledger.status_confirmed") {
			t.Errorf("status %q", got)
		}
		f.c.screenshot(tabA, "fr-timebank-confirmed")
	})

	t.Run("both_statements_show_it", func(t *testing.T) {
		for _, who := range []struct {
			tb      *tab
			name    string
			balance string
			amount  string
		}{{tabA, "A", "2 h", "2 h"}, {tabB, "B", "-2 h", "-2 h"}} {
			tb := who.tb
			tb.t = t
			if got, _ := openStatement(tb, ter+"/ledger"); got != who.balance {
				t.Errorf("%s's balance %q, want %q", who.name, got, who.balance)
			}
			line := tb.text("table.statement tbody tr")
			if !strings.Contains(line, who.amount) || !strings.Contains(line, f.L.T("ledger.cat_gardening")) || !strings.Contains(line, "Taille de la haie") {
				t.Errorf("%s's statement line: %q", who.name, line)
			}
			f.page(tb, "statement ("+who.name+")")
			f.c.screenshot(tb, "fr-statement-"+strings.ToLower(who.name))
		}
	})

	t.Run("B_pays_beyond_the_limit_and_is_refused", func(t *testing.T) {
		tabB.t = t
		tabB.open(ter + "/ledger/transfer")
		h1(tabB, f.L.T("ledger.transfer_title"))
		f.page(tabB, "transfer form (B)")
		// B is at -2 h with a -10 h limit: 9 h is 1 h too many.
		tabB.fill(map[string]string{"f-to": emailA, "f-amount": "9", "f-reason": "Cours de guitare"})
		tabB.submit("#f-amount")
		msg := strings.TrimSpace(tabB.text("#form-errors"))
		want := f.L.T("err.ledger.beyond_lower_limit", map[string]any{"Limit": "-10 h", "Available": "8 h", "Balance": "-2 h"})
		if !strings.Contains(msg, want) {
			t.Fatalf("refusal says %q, want %q", msg, want)
		}
		f.page(tabB, "transfer refused (B)")
		f.c.screenshot(tabB, "fr-transfer-refused")
		tabB.open(ter + "/ledger")
		if got := tabB.text("main table tbody td.num"); !strings.Contains(got, "-2 h") {
			t.Errorf("B's balance after the refusal: %q", got)
		}
		res, err := f.srv.ledger.Verify(context.Background())
		if err != nil || !res.OK() {
			t.Fatalf("verify: %+v %v", res, err)
		}
	})
}

// TestE2ELedgerAdministration covers the organisation and administration
// pages in Chromium: an organisation's administrator pays a member from
// the organisation's account; a territory administrator reverses that
// payment, with a reason, from the organisation's statement; both
// statements show the reversal; the administrator then settles the
// member's balance from the overview. Every page is checked with axe-core.
func TestE2ELedgerAdministration(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c := newChecker(t)
	b := startBrowser(t)
	srv := startServer(t)
	f := &flow{t: t, c: c, srv: srv, b: b, run: contribution{lang: "fr"}, L: srv.i18n.Localizer("fr")}
	ctx := context.Background()
	emailO, emailM := "olivia@e2e.example.org", "marc@e2e.example.org"
	actors := ledgerMembers(t, srv, emailO, emailM)
	// Olivia founds (so administers) a repair workshop; Marc owes her an
	// hour, so his balance is not zero once the payment is reversed.
	org, err := srv.accounts.CreateOrganisation(ctx, actors[emailO], srv.ter.ID, account.Organisation{
		Name: "Atelier vélo du Chorier", Kind: "association", Description: "Réparation de vélos entre voisins."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.ledger.Transfer(ctx, actors[emailM], srv.ter, ledger.TransferInput{To: "member:" + strconv.FormatInt(actors[emailO].UserID, 10),
		Currency: ledger.TimeCode, Amount: 60, Reason: "Cours de couture"}); err != nil {
		t.Fatal(err)
	}
	marcTime, err := srv.ledger.MyAccount(ctx, actors[emailM], srv.ter, ledger.TimeCode)
	if err != nil {
		t.Fatal(err)
	}
	tabO, tabM := f.login(t, "Olivia", emailO), f.login(t, "Marc", emailM)
	tabA := f.login(t, "admin", adminEmail)
	ter := "/t/" + slug
	orgPage := ter + "/ledger/organisations/" + strconv.FormatInt(org.ID, 10)
	const reason = "Payé deux fois par erreur"

	t.Run("the_organisation_administrator_pays_a_member", func(t *testing.T) {
		tabO.t = t
		tabO.open(ter + "/ledger")
		tabO.clickAndWait(`main a[href="` + orgPage + `"]`)
		h1(tabO, f.L.T("ledger.org_accounts", map[string]any{"Name": org.Name}))
		f.page(tabO, "organisation accounts (Olivia)")
		tabO.clickAndWait(`main a[href^="` + ter + `/ledger/transfer?from="]`)
		h1(tabO, f.L.T("ledger.transfer_title"))
		if got := eval[string](tabO, `document.getElementById("f-from").selectedOptions[0].textContent`); got != org.Name {
			t.Errorf("pays from %q, want %q", got, org.Name)
		}
		f.page(tabO, "transfer form from the organisation (Olivia)")
		tabO.fill(map[string]string{"f-to": emailM, "f-amount": "2", "f-reason": "Révision du vélo cargo"})
		tabO.do("choose repairs", chromedp.SetValue(chromedp.ID("f-category"), "repairs"))
		tabO.submit("#f-amount")
		if got, want := flash(tabO), f.L.T("ledger.transfer_done", map[string]any{"Amount": "2 h"}); got != want {
			t.Fatalf("after paying Olivia sees %q, want %q: %s", got, want, tabO.text("main"))
		}
		if got := strings.TrimSpace(tabO.text("#balance")); got != "-2 h" {
			t.Errorf("organisation's balance %q, want -2 h", got)
		}
		if line := tabO.text("table.statement tbody tr"); !strings.Contains(line, "Révision du vélo cargo") || !strings.Contains(line, "-2 h") {
			t.Errorf("organisation's statement line: %q", line)
		}
		f.page(tabO, "organisation statement (Olivia)")
		f.c.screenshot(tabO, "fr-org-statement")
	})

	t.Run("a_territory_administrator_reverses_it_from_the_statement", func(t *testing.T) {
		tabA.t = t
		tabA.open(orgPage)
		tabA.clickAndWait(`main table a[href^="` + ter + `/ledger/accounts/"]`)
		h1(tabA, f.L.T("ledger.statement_title")+" — TIME n° "+strings.TrimPrefix(tabA.path(), ter+"/ledger/accounts/"))
		f.page(tabA, "organisation statement (administrator)")
		tabA.click(`table.statement tbody tr details summary`)
		id := eval[string](tabA, `document.querySelector("table.statement tbody tr details input[name=reason]").id`)
		tabA.fill(map[string]string{id: reason})
		f.page(tabA, "reversal form open (administrator)")
		tabA.submit("#" + id)
		if got := flash(tabA); !strings.HasPrefix(got, strings.SplitN(f.L.T("ledger.reversal_done", map[string]any{"ID": 0, "Entry": 0}), " ", 2)[0]) {
			t.Fatalf("after reversing the administrator sees %q: %s", got, tabA.text("main"))
		}
		// Still on the statement: the reversal on top, the payment below
		// saying which entry reversed it, and no form to reverse either.
		if got := strings.TrimSpace(tabA.text("#balance")); got != "0 h" {
			t.Errorf("organisation's balance after the reversal %q", got)
		}
		rows := eval[[]string](tabA, `[...document.querySelectorAll("table.statement tbody tr")].map(r => r.innerText)`)
		if len(rows) != 2 || !strings.Contains(rows[0], f.L.T("ledger.kind_reversal")) || !strings.Contains(rows[0], reason) ||
			!strings.Contains(rows[1], strings.SplitN(f.L.T("ledger.reversed_by", map[string]any{"ID": 0}), " ", 2)[0]) {
			t.Errorf("statement after the reversal: %q", rows)
		}
		if n := eval[int](tabA, `document.querySelectorAll("table.statement details").length`); n != 0 {
			t.Errorf("%d reversal forms left", n)
		}
		f.page(tabA, "organisation statement after the reversal (administrator)")
		f.c.screenshot(tabA, "fr-statement-reversed")
	})

	t.Run("both_statements_show_the_reversal", func(t *testing.T) {
		for _, who := range []struct {
			tb      *tab
			name    string
			from    string
			balance string
			paid    string
		}{{tabO, "Olivia", orgPage, "0 h", "-2 h"}, {tabM, "Marc", ter + "/ledger", "-1 h", "2 h"}} {
			tb := who.tb
			tb.t = t
			got, rows := openStatement(tb, who.from)
			if got != who.balance {
				t.Errorf("%s's balance %q, want %q", who.name, got, who.balance)
			}
			if len(rows) < 2 || !strings.Contains(rows[0], f.L.T("ledger.kind_reversal")) || !strings.Contains(rows[0], reason) ||
				!strings.Contains(rows[1], "Révision du vélo cargo") || !strings.Contains(rows[1], who.paid) {
				t.Errorf("%s's statement: %q", who.name, rows)
			}
			if n := eval[int](tb, `document.querySelectorAll("table.statement form").length`); n != 0 {
				t.Errorf("%s may reverse entries (%d forms)", who.name, n)
			}
			f.page(tb, "statement after the reversal ("+who.name+")")
		}
	})

	t.Run("the_administrator_settles_a_members_balance", func(t *testing.T) {
		tabA.t = t
		tabA.open(ter + "/ledger")
		tabA.clickAndWait(`main a[href="` + ter + `/ledger/admin"]`)
		h1(tabA, f.L.T("ledger.admin_title"))
		f.page(tabA, "ledger overview (administrator)")
		form := `form:has(input[name=form][value=settle])`
		ids := eval[[]string](tabA, `[...document.querySelectorAll("`+form+` input[name=account_id], `+form+` input[name=reason]")].map(e => e.id)`)
		if len(ids) != 2 {
			t.Fatalf("settle form fields: %q", ids)
		}
		tabA.fill(map[string]string{ids[0]: strconv.FormatInt(marcTime.ID, 10), ids[1]: "Marc déménage"})
		tabA.submit("#" + ids[1])
		want := f.L.T("ledger.settled", map[string]any{"ID": marcTime.ID, "Entry": 0})
		if got := flash(tabA); !strings.HasPrefix(got, want[:strings.Index(want, "(")]) {
			t.Fatalf("after settling the administrator sees %q, want %q: %s", got, want, tabA.text("main"))
		}
		f.page(tabA, "ledger overview after settling (administrator)")
		tabM.t = t
		tabM.open(ter + "/ledger")
		if got := tabM.text("main table tbody td.num"); strings.Contains(got, "-") {
			t.Errorf("Marc's balance after settling: %q", got)
		}
		a, err := srv.ledger.MyAccount(ctx, actors[emailM], srv.ter, ledger.TimeCode)
		if err != nil || a.Balance != 0 {
			t.Fatalf("Marc's account after settling: %+v %v", a, err)
		}
		res, err := srv.ledger.Verify(ctx)
		if err != nil || !res.OK() {
			t.Fatalf("verify: %+v %v", res, err)
		}
	})
}

// ledgerMembers creates members of the test territory, by e-mail.
func ledgerMembers(t *testing.T, srv *server, emails ...string) map[string]access.Actor {
	t.Helper()
	ctx, system := context.Background(), access.SystemActor()
	actors := map[string]access.Actor{}
	for _, email := range emails {
		u, err := srv.accounts.CreateUser(ctx, system, email, password, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.accounts.Grant(ctx, system, srv.ter.ID, email, access.Member); err != nil {
			t.Fatal(err)
		}
		if actors[email], err = srv.accounts.ActorFor(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	return actors
}

// openStatement follows the first statement link of the accounts page at
// path and returns the balance and the statement's lines, newest first.
func openStatement(tb *tab, path string) (string, []string) {
	tb.t.Helper()
	tb.open(path)
	tb.clickAndWait(`main table a[href^="/t/` + slug + `/ledger/accounts/"]`)
	return strings.TrimSpace(tb.text("#balance")),
		eval[[]string](tb, `[...document.querySelectorAll("table.statement tbody tr")].map(r => r.innerText)`)
}
