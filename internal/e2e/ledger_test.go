package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sharingcity/sharingcity/internal/access"
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
	ctx, system := context.Background(), access.SystemActor()
	for _, email := range []string{emailA, emailB} {
		if _, err := srv.accounts.CreateUser(ctx, system, email, password, true); err != nil {
			t.Fatal(err)
		}
		if err := srv.accounts.Grant(ctx, system, srv.ter.ID, email, access.Member); err != nil {
			t.Fatal(err)
		}
	}
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
			tb.open(ter + "/ledger")
			tb.clickAndWait(`main table a[href^="` + ter + `/ledger/accounts/"]`)
			if got := strings.TrimSpace(tb.text("#balance")); got != who.balance {
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
