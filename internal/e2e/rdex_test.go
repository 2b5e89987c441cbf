package e2e

import (
	"strings"
	"testing"
)

// TestE2ERDEXPartners is a territory administrator managing the partner
// carpool platforms in Chromium, without touching the command line: from
// the administration page to the partners page, an empty form refused
// with its errors, a partner added, disabled, then removed after the
// confirmation page; in French then English, every page checked with
// axe-core.
func TestE2ERDEXPartners(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c := newChecker(t)
	br := startBrowser(t)
	srv := startServer(t)
	ter := "/t/" + slug
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			f := &flow{t: t, c: c, srv: srv, b: br, run: contribution{lang: lang}, L: srv.i18n.Localizer(lang)}
			L := f.L
			name := map[string]string{"fr": "Covoit'Alpes", "en": "Alps Rideshare"}[lang]
			admin := f.login(t, "admin "+lang, adminEmail)

			admin.open(ter + "/admin")
			admin.clickAndWait(`main nav a[href="` + ter + `/admin/rdex-partners"]`)
			h1(admin, L.T("rdexadm.title"))
			f.page(admin, "partners (empty)")

			// An empty form: the summary, and each field's message.
			admin.submit("#f-name")
			errText := admin.text("#form-errors")
			for _, want := range []string{L.T("form.errors_title"), L.T("field.url"), L.T("err.rdex_partner_url")} {
				if !strings.Contains(errText, want) {
					t.Errorf("the errors lack %q: %s", want, errText)
				}
			}
			if got := eval[string](admin, `document.getElementById("f-url").getAttribute("aria-invalid") || ""`); got != "true" {
				t.Errorf("the address field is not marked invalid")
			}
			f.page(admin, "partners form with errors")
			c.screenshot(admin, lang+"-rdex-partners-errors")

			admin.fill(map[string]string{"f-name": name, "f-url": "https://rdex.partner.example/api/rdex",
				"f-public_key": "public-" + lang, "f-private_key": "private-" + lang})
			admin.submit("#f-name")
			if msg := flash(admin); msg != L.T("rdexadm.added", "Name", name) {
				t.Fatalf("after adding, the page says %q: %s", msg, admin.text("main"))
			}
			table := admin.text("main table")
			if !strings.Contains(table, name) || !strings.Contains(table, "https://rdex.partner.example/api/rdex") || !strings.Contains(table, L.T("rdexadm.on")) {
				t.Fatalf("the partner is not listed: %s", table)
			}
			if html := eval[string](admin, `document.documentElement.outerHTML`); strings.Contains(html, "private-"+lang) || strings.Contains(html, "public-"+lang) {
				t.Errorf("a key is on the page")
			}
			f.page(admin, "partners (one)")
			c.screenshot(admin, lang+"-rdex-partners")

			admin.clickAndWait(`main table form[action$="/disable"] button`)
			if msg := flash(admin); msg != L.T("rdexadm.disabled_done", "Name", name) {
				t.Fatalf("after disabling, the page says %q", msg)
			}
			if !strings.Contains(admin.text("main table"), L.T("rdexadm.off")) {
				t.Fatalf("the partner is not shown disabled: %s", admin.text("main table"))
			}

			admin.clickAndWait(`main table form[action$="/remove"] button`)
			h1(admin, L.T("rdexadm.remove_title"))
			f.page(admin, "partner removal confirmation")
			c.screenshot(admin, lang+"-rdex-partner-remove")
			admin.clickAndWait(`main form button.danger`)
			if msg := flash(admin); msg != L.T("rdexadm.removed", "Name", name) {
				t.Fatalf("after removing, the page says %q", msg)
			}
			if strings.Contains(admin.text("main"), "rdex.partner.example") {
				t.Fatalf("the partner is still listed: %s", admin.text("main"))
			}
		})
	}
}
