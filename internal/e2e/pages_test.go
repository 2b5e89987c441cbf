package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// pageCase is one page to check: where it is, and what must be on it
// before axe-core looks (a map's markers, say).
type pageCase struct {
	name, path string
	shot       bool   // screenshot it when screenshots are asked for
	ready      string // JavaScript condition to wait for, or ""
	status     int    // expected HTTP status; 0 means 200
}

// TestE2EAccessibility runs axe-core on every page of the site, in French
// and in English, for a visitor and for the territory's administrator, and
// on forms showing their errors.
func TestE2EAccessibility(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c := newChecker(t)
	b := startBrowser(t)
	srv := startServer(t)
	srv.fillModerationQueue(context.Background(), t)

	ter := "/t/" + slug
	tools := srv.byName(t, "Outilthèque de Berriat")
	garden := srv.byName(t, "Jardin partagé de l'Île Verte")
	markers := `document.querySelectorAll("#map .leaflet-marker-icon").length > 0`
	minimap := `!!document.querySelector(".leaflet-container .leaflet-marker-icon")`
	public := []pageCase{
		{name: "home", path: "/", shot: true},
		{name: "territory home", path: ter + "/", shot: true},
		{name: "directory list", path: ter + "/initiatives", shot: true},
		{name: "search results", path: ter + "/initiatives?q=repar"},
		{name: "filtered by category", path: ter + "/initiatives?category=food"},
		{name: "initiative page", path: fmt.Sprintf("%s/initiatives/%d", ter, tools.ID), shot: true, ready: minimap},
		{name: "initiative page (commons)", path: fmt.Sprintf("%s/initiatives/%d", ter, garden.ID), ready: minimap},
		{name: "revisions", path: fmt.Sprintf("%s/initiatives/%d/revisions", ter, tools.ID)},
		{name: "map", path: ter + "/map", shot: true, ready: markers},
		{name: "mapjams", path: ter + "/mapjams"},
		{name: "mapjam", path: fmt.Sprintf("%s/mapjams/%d", ter, srv.jam.ID), shot: true},
		{name: "organisations", path: ter + "/organisations"},
		{name: "organisation", path: fmt.Sprintf("%s/organisations/%d", ter, srv.org.ID)},
		{name: "accessibility statement", path: ter + "/accessibility", shot: true},
		{name: "open data", path: ter + "/open-data"},
		{name: "api docs", path: "/api/docs"},
		{name: "login", path: "/login"},
		{name: "signup", path: "/signup"},
		{name: "forgot password", path: "/forgot"},
		{name: "not found", path: ter + "/initiatives/999999", status: 404},
	}
	staff := []pageCase{
		{name: "account", path: "/account"},
		{name: "moderation", path: ter + "/moderation", shot: true},
		{name: "territory admin", path: ter + "/admin", shot: true},
		{name: "RDEX partner platforms", path: ter + "/admin/rdex-partners", shot: true},
		{name: "outbox", path: "/admin/outbox"},
		{name: "contribute form", path: ter + "/initiatives/new", ready: `!!document.querySelector("#pick-map .leaflet-tile")`},
		{name: "edit form", path: fmt.Sprintf("%s/initiatives/%d/edit", ter, tools.ID)},
		{name: "initiative page (moderator)", path: fmt.Sprintf("%s/initiatives/%d", ter, tools.ID), ready: minimap},
		{name: "mapjams (moderator)", path: ter + "/mapjams"},
		{name: "organisations (member)", path: ter + "/organisations"},
		{name: "organisation (its admin)", path: fmt.Sprintf("%s/organisations/%d", ter, srv.org.ID)},
	}
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			L := srv.i18n.Localizer(lang)
			visit := func(t *testing.T, tb *tab, pc pageCase) {
				t.Helper()
				tb.t = t
				status := tb.openStatus(pc.path)
				want := pc.status
				if want == 0 {
					want = 200
				}
				if status != want {
					t.Errorf("%s: HTTP %d, want %d", pc.path, status, want)
				}
				if pc.ready != "" {
					tb.waitFor(pc.name+" ready", pc.ready)
				}
				if got := eval[string](tb, `document.documentElement.lang`); got != lang {
					t.Errorf("%s: page in %q, want %q", pc.path, got, lang)
				}
				if h := strings.TrimSpace(tb.text("main h1")); h == "" {
					t.Errorf("%s: no main heading", pc.path)
				}
				c.check(tb, pc.name)
				if pc.shot {
					c.screenshot(tb, lang+"-page-"+strings.ReplaceAll(pc.name, " ", "-"))
				}
			}

			visitor := b.newTab(t, "visitor "+lang, srv.URL)
			visitor.open("/?lang=" + lang)
			for _, pc := range public {
				t.Run(pc.name, func(t *testing.T) { visit(t, visitor, pc) })
			}

			admin := b.newTab(t, "admin "+lang, srv.URL)
			admin.open("/login?lang=" + lang)
			admin.fill(map[string]string{"f-email": adminEmail, "f-password": password})
			admin.submit("#f-password")
			if msg := flash(admin); msg != L.T("login.welcome") {
				t.Fatalf("admin login: the page says %q", msg)
			}
			for _, pc := range staff {
				t.Run(pc.name, func(t *testing.T) { visit(t, admin, pc) })
			}

			// Forms showing their errors: the summary, aria-invalid fields
			// and messages tied to them must pass too.
			t.Run("contribute form with errors", func(t *testing.T) {
				admin.t = t
				admin.open(ter + "/initiatives/new")
				admin.submit("#f-name")
				if !strings.Contains(admin.text("#form-errors"), L.T("form.errors_title")) {
					t.Errorf("an empty contribution shows no error summary: %s", admin.text("main"))
				}
				c.check(admin, "contribute form with errors")
				c.screenshot(admin, lang+"-page-contribute-errors")
			})
			t.Run("signup form with errors", func(t *testing.T) {
				visitor.t = t
				visitor.open("/signup")
				visitor.fill(map[string]string{"f-email": "not-an-address", "f-password": "short", "f-password_confirm": "other"})
				visitor.submit("#f-email")
				if strings.TrimSpace(visitor.text("#form-errors")) == "" {
					t.Errorf("a bad sign-up shows no error summary: %s", visitor.text("main"))
				}
				c.check(visitor, "signup form with errors")
			})
			t.Run("login with a wrong password", func(t *testing.T) {
				visitor.t = t
				visitor.open("/login")
				visitor.fill(map[string]string{"f-email": adminEmail, "f-password": "wrong password"})
				visitor.submit("#f-password")
				if strings.TrimSpace(visitor.text("#form-errors")) == "" {
					t.Errorf("a wrong password shows no error summary: %s", visitor.text("main"))
				}
				c.check(visitor, "login with a wrong password")
			})
		})
	}
}
