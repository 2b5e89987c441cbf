package e2e

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/sharingcity/sharingcity/internal/i18n"
)

// contribution is what a new member contributes in one language's run.
type contribution struct {
	lang        string
	email, name string
	initiative  string // its name
	search      string // a word stem of the name without accents
	// pick is where on the position map the member clicks, from the
	// map's centre in pixels, so the two runs do not stack their markers.
	pickDX, pickDY float64
}

// TestE2EContribution is issue 2's journey of a resident, in French then in
// English: sign up, confirm the address with the link found in the outbox,
// contribute an initiative placed by clicking the map, have a moderator
// publish it, then find it on the map and in search. Every page on the way
// is checked with axe-core.
func TestE2EContribution(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c := newChecker(t)
	b := startBrowser(t)
	srv := startServer(t)
	runs := []contribution{
		{lang: "fr", email: "camille@e2e.example.org", name: "Camille Martin", initiative: "Vélothèque des Écureuils", search: "ecureuil", pickDX: 0, pickDY: 0},
		{lang: "en", email: "sam@e2e.example.org", name: "Sam Taylor", initiative: "Grainothèque des Mésanges", search: "mesange", pickDX: 70, pickDY: -50},
	}
	for _, run := range runs {
		t.Run(run.lang, func(t *testing.T) {
			f := &flow{t: t, c: c, srv: srv, b: b, run: run, L: srv.i18n.Localizer(run.lang)}
			steps := []struct {
				name string
				fn   func(t *testing.T)
			}{
				{"signup", f.signup},
				{"verify_from_outbox", f.verify},
				{"contribute_by_clicking_the_map", f.contribute},
				{"moderator_publishes", f.publish},
				{"appears_on_the_map", f.onMap},
				{"appears_in_search", f.inSearch},
			}
			for _, s := range steps {
				if !t.Run(s.name, s.fn) {
					return // later steps need this one
				}
			}
		})
	}
}

type flow struct {
	t   *testing.T
	c   *checker
	srv *server
	b   *browser
	run contribution
	L   *i18n.Localizer

	user         *tab
	initiativeID int64
	lat, lon     float64 // where the member placed it
}

// page checks the page in the tab: its language, then axe-core.
func (f *flow) page(tb *tab, label string) {
	tb.t.Helper()
	if got := eval[string](tb, `document.documentElement.lang`); got != f.run.lang {
		tb.t.Errorf("%s: page in %q, want %q", label, got, f.run.lang)
	}
	f.c.check(tb, label)
}

// h1 fails the test unless the page's main heading is want.
func h1(tb *tab, want string) {
	tb.t.Helper()
	if got := strings.TrimSpace(tb.text("main h1")); got != want {
		tb.t.Errorf("heading %q, want %q (page %s)", got, want, tb.location())
	}
}

// flash returns the page's confirmation message.
func flash(tb *tab) string { return strings.TrimSpace(tb.text(".flash")) }

// login signs a seeded account in, in the run's language, in a fresh tab.
func (f *flow) login(t *testing.T, who, email string) *tab {
	t.Helper()
	tb := f.b.newTab(t, who, f.srv.URL)
	tb.open("/login?lang=" + f.run.lang)
	h1(tb, f.L.T("login.title"))
	tb.fill(map[string]string{"f-email": email, "f-password": password})
	tb.submit("#f-password")
	if msg := flash(tb); msg != f.L.T("login.welcome") {
		t.Fatalf("%s: after login the page says %q, want %q", who, msg, f.L.T("login.welcome"))
	}
	return tb
}

func (f *flow) signup(t *testing.T) {
	f.user = f.b.newTab(f.t, "new member", f.srv.URL)
	u := f.user
	u.t = t
	u.open("/")
	if f.run.lang != "fr" {
		// French is the default; a person switches with the link in the header.
		f.c.check(u, "home (before switching language)")
		u.clickAndWait(`header a[hreflang="` + f.run.lang + `"]`)
	}
	f.page(u, "home")
	f.c.screenshot(u, f.run.lang+"-home")

	if u.path() != "/t/"+slug+"/" {
		// With one territory the home page may lead straight to it.
		u.clickAndWait(`main a[href="/t/` + slug + `/"]`)
	}
	f.page(u, "territory home")
	f.c.screenshot(u, f.run.lang+"-territory")

	u.clickAndWait(`main a[href^="/signup"]`)
	h1(u, f.L.T("signup.title"))
	f.page(u, "signup")
	f.c.screenshot(u, f.run.lang+"-signup")
	u.fill(map[string]string{
		"f-display_name": f.run.name, "f-email": f.run.email,
		"f-password": password, "f-password_confirm": password,
	})
	u.submit("#f-email")
	if u.path() == "/signup" {
		t.Fatalf("sign-up refused: %s", u.text("main"))
	}
	want := f.L.T("signup.done", "Email", f.run.email)
	if msg := flash(u); msg != want {
		t.Errorf("after sign-up the page says %q, want %q", msg, want)
	}
	f.page(u, "page after sign-up")
}

var verifyLink = regexp.MustCompile(`https?://\S+/verify\?token=[^\s"<>]+`)

func (f *flow) verify(t *testing.T) {
	admin := f.login(t, "platform admin", adminEmail)
	admin.open("/admin/outbox?to=" + url.QueryEscape(f.run.email))
	f.page(admin, "outbox")
	f.c.screenshot(admin, f.run.lang+"-outbox")
	body := admin.text(".mail .mail-body")
	link := verifyLink.FindString(body)
	if link == "" {
		t.Fatalf("no verification link in the outbox for %s; the page shows:\n%s", f.run.email, admin.text("main"))
	}
	if !strings.HasPrefix(link, f.srv.URL+"/") {
		t.Fatalf("verification link %s does not point at the server %s", link, f.srv.URL)
	}

	u := f.user
	u.t = t
	u.open("/account")
	f.page(u, "account (not confirmed)")
	u.do("open the link from the e-mail", chromedp.Navigate(link), chromedp.WaitReady(chromedp.CSS("body")))
	if u.path() != "/account" {
		t.Fatalf("the verification link led to %s: %s", u.location(), u.text("main"))
	}
	if msg := flash(u); msg != f.L.T("verify.done") {
		t.Errorf("after verification the page says %q, want %q", msg, f.L.T("verify.done"))
	}
	if got := strings.TrimSpace(u.text("dl.facts .tag")); got != f.L.T("account.verified") {
		t.Errorf("account page marks the address %q, want %q", got, f.L.T("account.verified"))
	}
	h1(u, f.L.T("account.title"))
	f.page(u, "account (confirmed)")
	f.c.screenshot(u, f.run.lang+"-account")
}

func (f *flow) contribute(t *testing.T) {
	u := f.user
	u.t = t
	u.open("/t/" + slug + "/")
	u.clickAndWait(`nav.main a[href="/t/` + slug + `/initiatives/new"]`)
	if eval[bool](u, `!!document.querySelector('main form[action$="/join"]')`) {
		f.page(u, "contribute (join first)")
		u.submit(`main form[action$="/join"] button`)
	}
	h1(u, f.L.T("dir.contribute_title"))
	u.fill(map[string]string{
		"f-name":        f.run.initiative,
		"f-summary":     "Prêt de vélos et d'outils de réparation entre voisins.",
		"f-description": "Ouvert à **toutes et tous**, adhésion à prix libre.",
		"f-address":     "5 place Saint-Bruno, 38000 Grenoble",
		"f-website":     "https://velotheque.example.org",
	})
	u.do("tick a category", chromedp.Click(chromedp.CSS(`input[name="categories"][value="mobility"]`), chromedp.NodeVisible))
	u.do("choose a kind", chromedp.SetValue(chromedp.ID("f-kind"), "collective"))

	// The position map replaces typing coordinates when scripts run.
	u.waitFor("the position map", `(() => { const m = document.getElementById("pick-map");
		return !!m && !m.hidden && m.getBoundingClientRect().height > 100 && !!m.querySelector(".leaflet-tile-loaded, .leaflet-tile") })()`)
	if lat := eval[string](u, `document.getElementById("f-lat").value`); lat != "" {
		t.Fatalf("latitude %q filled before any click", lat)
	}
	u.do("scroll to the map", chromedp.ScrollIntoView(chromedp.ID("pick-map")))
	box := eval[[]float64](u, `(() => { const r = document.getElementById("pick-map").getBoundingClientRect(); return [r.left, r.top, r.width, r.height] })()`)
	x, y := box[0]+box[2]/2+f.run.pickDX, box[1]+box[3]/2+f.run.pickDY
	u.do("click the map", chromedp.MouseClickXY(x, y))
	u.waitFor("coordinates filled by the click", `document.getElementById("f-lat").value !== "" && document.getElementById("f-lon").value !== ""`)
	lat := parseCoord(t, eval[string](u, `document.getElementById("f-lat").value`))
	lon := parseCoord(t, eval[string](u, `document.getElementById("f-lon").value`))
	f.lat, f.lon = lat, lon
	if lat < grenoble.MinLat || lat > grenoble.MaxLat || lon < grenoble.MinLon || lon > grenoble.MaxLon {
		t.Fatalf("click put the initiative at %v,%v, outside the territory %+v", lat, lon, grenoble)
	}
	if status := strings.TrimSpace(u.text("#pick-status")); status == "" {
		t.Errorf("the position map announces nothing after the click (#pick-status is empty)")
	}
	f.page(u, "contribute form (filled)")
	f.c.screenshot(u, f.run.lang+"-contribute")

	u.submit("#f-name")
	loc := u.location()
	m := regexp.MustCompile(`/initiatives/(\d+)$`).FindStringSubmatch(strings.SplitN(loc, "?", 2)[0])
	if m == nil {
		t.Fatalf("after contributing the browser is on %s: %s", loc, u.text("main"))
	}
	f.initiativeID, _ = strconv.ParseInt(m[1], 10, 64)
	if msg := flash(u); msg != f.L.T("dir.contributed_pending") {
		t.Errorf("after contributing the page says %q, want %q", msg, f.L.T("dir.contributed_pending"))
	}
	h1(u, f.run.initiative)
	f.page(u, "initiative page (pending)")
}

func parseCoord(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("coordinate %q: %v", s, err)
	}
	return v
}

func (f *flow) publish(t *testing.T) {
	mod := f.login(t, "moderator", moderatorEmail)
	mod.open("/t/" + slug + "/")
	mod.clickAndWait(`nav.main a[href="/t/` + slug + `/moderation"]`)
	h1(mod, f.L.T("dir.moderation_title"))
	f.page(mod, "moderation queue")
	f.c.screenshot(mod, f.run.lang+"-moderation")
	publish := fmt.Sprintf(`form[action="/t/%s/initiatives/%d/publish"] button`, slug, f.initiativeID)
	if !eval[bool](mod, `!!document.querySelector(`+strconv.Quote(publish)+`)`) {
		t.Fatalf("the moderation queue has no publish button for initiative %d:\n%s", f.initiativeID, mod.text("main"))
	}
	mod.clickAndWait(publish)
	if msg := flash(mod); msg != f.L.T("dir.published") {
		t.Errorf("after publishing the page says %q, want %q", msg, f.L.T("dir.published"))
	}
	f.page(mod, "moderation queue (after publishing)")
}

func (f *flow) onMap(t *testing.T) {
	// A visitor who is not signed in sees it too.
	v := f.b.newTab(t, "visitor", f.srv.URL)
	v.open("/t/" + slug + "/map?lang=" + f.run.lang)
	h1(v, f.L.T("dir.map_heading", "Name", f.srv.ter.Name))
	f.findOnMap(t, v)
	f.page(v, "map")
	f.c.screenshot(v, f.run.lang+"-map")
}

// findOnMap waits for the map's markers, zooms in on the initiative's
// position with the mouse wheel until it has its own marker, clicks that
// marker and checks the popup.
func (f *flow) findOnMap(t *testing.T, v *tab) {
	t.Helper()
	v.waitFor("markers on the map", `document.querySelectorAll("#map .leaflet-marker-icon").length > 0`)
	name := f.run.initiative
	marker := fmt.Sprintf(`[...document.querySelectorAll("#map .leaflet-marker-icon")].find(m => m.title === %q || m.alt === %q)`, name, name)
	for i := 0; !eval[bool](v, `!!`+marker); i++ {
		if i == 8 {
			t.Fatalf("no marker named %q on the map after zooming in; markers: %s", name,
				eval[string](v, `[...document.querySelectorAll("#map .leaflet-marker-icon")].map(m => m.title || m.alt || m.textContent).join(" | ")`))
		}
		xy := eval[[]float64](v, fmt.Sprintf(screenPointJS, f.lat, f.lon))
		v.do("zoom in with the wheel", chromedp.MouseEvent(chromedp.MouseWheel, xy[0], xy[1], func(p *input.DispatchMouseEventParams) {
			// cdproto drops a zero deltaX, which Chromium requires for wheel events.
			p.DeltaX, p.DeltaY = 1e-6, -240
		}))
		v.waitSettled()
	}
	v.waitSettled()
	v.click(`#map .leaflet-marker-icon[title="` + name + `"]`)
	v.waitFor("the popup", fmt.Sprintf(`((document.querySelector("#map .leaflet-popup-content") || {}).textContent || "").includes(%q)`, name))
	href := eval[string](v, `(document.querySelector("#map .leaflet-popup-content a") || {href: ""}).href`)
	if want := fmt.Sprintf("/t/%s/initiatives/%d", slug, f.initiativeID); !strings.HasSuffix(href, want) {
		t.Errorf("the popup links to %q, want %q", href, want)
	}
	f.c.snapshot(v, f.run.lang+"-map-popup")
}

// waitSettled waits until the map has stopped moving and redrawing: the
// markers stay in place for half a second with no request under way. The
// map redraws every marker after each move, so a click during a redraw
// would be lost.
func (tb *tab) waitSettled() {
	tb.t.Helper()
	const snapshot = `document.getElementById("map").hasAttribute("aria-busy") ? "busy" :
		[...document.querySelectorAll("#map .leaflet-marker-icon")].map(m => m.title + JSON.stringify(m.getBoundingClientRect())).join("|")`
	deadline := time.Now().Add(stepTimeout)
	prev := ""
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		cur := eval[string](tb, snapshot)
		if cur == prev && cur != "busy" {
			return
		}
		prev = cur
	}
	tb.t.Fatalf("%s: the map never settled (page %s)", tb.name, tb.location())
}

// screenPointJS computes where a latitude and longitude are on the screen
// from a loaded tile of the map: its URL gives its zoom and grid position
// and its box where it is drawn (Web Mercator, 256-pixel tiles), so no
// handle on the page's map object is needed.
const screenPointJS = `(() => {
	const lat = %v, lon = %v;
	const tile = [...document.querySelectorAll("#map img.leaflet-tile-loaded")].find(i => /\/(\d+)\/(\d+)\/(\d+)\.png$/.test(i.src));
	const [, z, x, y] = tile.src.match(/\/(\d+)\/(\d+)\/(\d+)\.png$/).map(Number);
	const world = 256 * 2 ** z, s = Math.sin(lat * Math.PI / 180);
	const px = (lon + 180) / 360 * world;
	const py = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * world;
	const r = tile.getBoundingClientRect(), k = r.width / 256;
	return [r.left + (px - x * 256) * k, r.top + (py - y * 256) * k] })()`

func (f *flow) inSearch(t *testing.T) {
	v := f.b.newTab(t, "visitor", f.srv.URL)
	v.open("/t/" + slug + "/?lang=" + f.run.lang)
	v.fill(map[string]string{"home-q": f.run.search})
	v.submit("#home-q")
	if !strings.Contains(v.location(), "q="+f.run.search) {
		t.Fatalf("search led to %s", v.location())
	}
	found := eval[bool](v, fmt.Sprintf(`[...document.querySelectorAll("main a")].some(a => a.textContent.trim() === %q && a.getAttribute("href").endsWith("/initiatives/%d"))`, f.run.initiative, f.initiativeID))
	if !found {
		t.Errorf("searching %q does not list %q:\n%s", f.run.search, f.run.initiative, v.text("main"))
	}
	f.page(v, "search results")
	f.c.screenshot(v, f.run.lang+"-search")

	// Follow the result to the initiative's own page, published now.
	v.clickAndWait(fmt.Sprintf(`main a[href$="/initiatives/%d"]`, f.initiativeID))
	h1(v, f.run.initiative)
	f.page(v, "initiative page")
	f.c.screenshot(v, f.run.lang+"-initiative")
}
