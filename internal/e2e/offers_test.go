package e2e

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sharingcity/sharingcity/internal/access"
)

// The owner's exact position, given with more decimals than any public
// position has (4), so finding these digits in a page can only be a leak.
const (
	exactLat, exactLon = "45.187312", "5.726245"
	// The searcher's point, about 1 km north-north-east.
	nearLat, nearLon = "45.1955", "5.7301"
)

// offersRun is one language's run of the journey, with its own members.
type offersRun struct {
	lang, emailA, emailB string
	title, description   string
}

// offersFlow is issue 3's journey: A lends a drill, B finds it, writes,
// asks for it, and both close the exchange with reviews.
type offersFlow struct {
	*flow
	offersRun
	idA, idB   int64
	tabA, tabB *tab
	listingID  int64
}

// TestE2EOffersExchange is issue 3's end-to-end journey in Chromium: A
// offers a drill with a photo, B finds it near home, writes to A, proposes
// an exchange, A accepts, both mark it done and review each other. Every
// page is checked with axe-core, and no page B sees holds A's exact
// position.
// It runs in French, then in English (the language chosen at login and
// kept by the site), checking each run's own labels.
func TestE2EOffersExchange(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c := newChecker(t)
	b := startBrowser(t)
	srv := startServer(t)
	for _, run := range []offersRun{
		{lang: "fr", emailA: "amelie@e2e.example.org", emailB: "bastien@e2e.example.org",
			title: "Perceuse à percussion", description: "Perceuse Bosch 750 W avec un jeu de forets béton."},
		{lang: "en", emailA: "alice@e2e.example.org", emailB: "bob@e2e.example.org",
			title: "Hammer drill", description: "750 W Bosch drill with a set of masonry bits."},
	} {
		t.Run(run.lang, func(t *testing.T) {
			f := &offersFlow{
				flow:      &flow{t: t, c: c, srv: srv, b: b, run: contribution{lang: run.lang}, L: srv.i18n.Localizer(run.lang)},
				offersRun: run,
			}
			f.journey(t)
		})
	}
}

// journey goes through the steps, stopping at the first that fails.
func (f *offersFlow) journey(t *testing.T) {
	f.idA = f.addMember(t, f.emailA)
	f.idB = f.addMember(t, f.emailB)
	// The tabs live as long as the whole test; each step lends them its t.
	f.tabA = f.login(t, "A", f.emailA)
	f.tabB = f.login(t, "B", f.emailB)
	steps := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"A_publishes_with_a_photo", f.publishListing},
		{"B_finds_it_near_home", f.findNear},
		{"B_writes_to_A", f.writeToOwner},
		{"B_proposes_an_exchange", f.propose},
		{"A_accepts", f.accept},
		{"both_mark_it_done", f.markDone},
		{"both_review", f.review},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.fn) {
			return // later steps need this one
		}
	}
}

// addMember creates a confirmed account that is a member of the territory.
func (f *offersFlow) addMember(t *testing.T, email string) int64 {
	t.Helper()
	ctx, system := context.Background(), access.SystemActor()
	u, err := f.srv.accounts.CreateUser(ctx, system, email, password, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.srv.accounts.Grant(ctx, system, f.srv.ter.ID, email, access.Member); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// bPage checks a page B sees: axe-core, and no trace of A's exact position.
func (f *offersFlow) bPage(label string) {
	tb := f.tabB
	tb.t.Helper()
	html := eval[string](tb, `document.documentElement.outerHTML`)
	for _, exact := range []string{exactLat[:8], exactLon[:7]} { // 5 decimals already say too much
		if strings.Contains(html, exact) {
			tb.t.Errorf("%s: B's page holds %q, A's exact position (page %s)", label, exact, tb.location())
		}
	}
	f.page(tb, label)
}

// testPhoto writes a small PNG, as a phone's picture would be uploaded.
func testPhoto(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 90))
	for y := range 90 {
		for x := range 120 {
			img.Set(x, y, color.RGBA{uint8(x * 2), uint8(y * 2), 0x60, 0xff})
		}
	}
	path := filepath.Join(t.TempDir(), "perceuse.png")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(out, img); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func (f *offersFlow) publishListing(t *testing.T) {
	a := f.tabA
	a.t = t
	ter := "/t/" + slug
	a.open(ter + "/")
	a.clickAndWait(`nav a[href="` + ter + `/listings"]`)
	f.page(a, "listings (A)")
	a.clickAndWait(`main a[href="` + ter + `/listings/new"]`)
	h1(a, f.L.T("offw.form_title"))
	f.page(a, "listing form")
	a.fill(map[string]string{
		"f-title":        f.title,
		"f-description":  f.description,
		"f-availability": "Le soir après 18 h",
		"f-lat":          exactLat,
		"f-lon":          exactLon,
	})
	a.do("choose the mode, category and condition",
		chromedp.SetValue(chromedp.ID("f-mode"), "lend"),
		chromedp.SetValue(chromedp.ID("f-category"), "goods_tools"),
		chromedp.SetValue(chromedp.ID("f-condition"), "good"),
		chromedp.SetUploadFiles(chromedp.ID("f-photos"), []string{testPhoto(t)}))
	if n := eval[float64](a, `document.getElementById("f-photos").files.length`); n != 1 {
		t.Fatalf("the file input holds %v files, want 1", n)
	}
	f.page(a, "listing form (filled)")
	f.c.screenshot(a, f.run.lang+"-listing-form")

	a.submit("#f-title")
	loc := a.location()
	m := regexp.MustCompile(`/listings/(\d+)$`).FindStringSubmatch(strings.SplitN(loc, "?", 2)[0])
	if m == nil {
		t.Fatalf("after publishing the browser is on %s: %s", loc, a.text("main"))
	}
	f.listingID, _ = strconv.ParseInt(m[1], 10, 64)
	if msg := flash(a); msg != f.L.T("offw.created") {
		t.Errorf("after publishing the page says %q, want %q", msg, f.L.T("offw.created"))
	}
	h1(a, f.title)
	a.waitFor("the photo loaded", `(() => { const i = document.querySelector("main ul.photos img"); return !!i && i.complete && i.naturalWidth > 0 })()`)
	if alt := eval[string](a, `document.querySelector("main ul.photos img").alt`); alt == "" {
		t.Errorf("the listing's photo has no text alternative")
	}
	f.page(a, "listing (owner)")
	f.c.screenshot(a, f.run.lang+"-listing-owner")
}

func (f *offersFlow) listingPath() string { return fmt.Sprintf("/t/%s/listings/%d", slug, f.listingID) }

func (f *offersFlow) findNear(t *testing.T) {
	b := f.tabB
	b.t = t
	b.open("/t/" + slug + "/listings")
	h1(b, f.L.T("offw.listings_title"))
	for sel, key := range map[string]string{`label[for="f-address"]`: "offw.address", `label[for="f-lat"]`: "offw.latitude",
		`label[for="f-sort"]`: "offw.sort", `main form[role="search"] button[type="submit"]`: "offw.search_submit"} {
		if got := strings.TrimSpace(b.text(sel)); got != f.L.T(key) {
			t.Errorf("the search form's %s reads %q, want %q", sel, got, f.L.T(key))
		}
	}
	f.bPage("listings (B)")
	b.fill(map[string]string{"f-lat": nearLat, "f-lon": nearLon, "f-radius_km": "2"})
	b.submit("#f-lat")
	card := fmt.Sprintf(`main ul.listings a[href=%q]`, f.listingPath())
	if got := strings.TrimSpace(b.text(card)); got != f.title {
		t.Fatalf("searching within 2 km of %s,%s does not list the drill (link text %q):\n%s", nearLat, nearLon, got, b.text("main"))
	}
	dist := strings.TrimSpace(eval[string](b, fmt.Sprintf(`document.querySelector(%q).closest("li").querySelector(".distance")?.innerText || ""`, card)))
	if dist == "" {
		t.Errorf("the result shows no distance")
	}
	if !eval[bool](b, fmt.Sprintf(`!!document.querySelector(%q).closest("li").querySelector("img[src^='/media/']")`, card)) {
		t.Errorf("the result shows no thumbnail of the photo")
	}
	f.bPage("listings near B's home")
	f.c.screenshot(b, f.run.lang+"-listings-near")

	b.clickAndWait(card)
	h1(b, f.title)
	f.bPage("listing (B)")
	f.c.screenshot(b, f.run.lang+"-listing")
}

const messageFromB = "Bonjour, je pourrais l'emprunter samedi pour fixer des étagères ?"

func (f *offersFlow) writeToOwner(t *testing.T) {
	b := f.tabB
	b.t = t
	b.open(f.listingPath())
	b.fill(map[string]string{"f-body": messageFromB})
	b.submit("#f-body")
	if !regexp.MustCompile(`/t/` + slug + `/messages/\d+$`).MatchString(b.path()) {
		t.Fatalf("after writing B is on %s: %s", b.location(), b.text("main"))
	}
	if msg := flash(b); msg != f.L.T("offw.message_sent") {
		t.Errorf("after writing the page says %q, want %q", msg, f.L.T("offw.message_sent"))
	}
	if got := strings.TrimSpace(b.text("ol.messages li.mine .pre-line")); got != messageFromB {
		t.Errorf("B's conversation shows %q, want B's message", got)
	}
	h1(b, f.title)
	f.bPage("conversation (B)")

	a := f.tabA
	a.t = t
	a.open("/t/" + slug + "/messages")
	if n := strings.TrimSpace(a.text("ul.inbox li.unread .badge")); n == "" {
		t.Errorf("A's inbox marks no conversation unread:\n%s", a.text("main"))
	}
	f.page(a, "inbox (A)")
	a.clickAndWait(`ul.inbox li a[href^="/t/` + slug + `/messages/"]`)
	if got := strings.TrimSpace(a.text("ol.messages li.theirs .pre-line")); got != messageFromB {
		t.Errorf("A's conversation shows %q, want B's message", got)
	}
	f.page(a, "conversation (A)")
}

const proposal = "Samedi matin, je vous la rends dimanche soir."

// exchangeButton selects the button of an exchange step on "my listings".
func exchangeButton(action string) string {
	return `main ul.exchanges form:has(input[name="action"][value="` + action + `"]) button`
}

// exchangeState is the state written in the page's first exchange.
func exchangeState(tb *tab) string {
	tb.t.Helper()
	return eval[string](tb, `(() => { const li = document.querySelector("main ul.exchanges li");
		if (!li) return "";
		const a = li.querySelector("a"); let s = "";
		for (let n = a.nextSibling; n && n.nodeType === Node.TEXT_NODE; n = n.nextSibling) s += n.textContent;
		return s.replace(/^\s*—\s*/, "").trim() })()`)
}

func (f *offersFlow) propose(t *testing.T) {
	b := f.tabB
	b.t = t
	b.open(f.listingPath())
	b.fill(map[string]string{"f-message": proposal})
	b.submit("#f-message")
	if b.path() != f.listingPath() {
		t.Fatalf("after proposing B is on %s: %s", b.location(), b.text("main"))
	}
	if msg := flash(b); msg != f.L.T("offw.proposed") {
		t.Errorf("after proposing the page says %q, want %q", msg, f.L.T("offw.proposed"))
	}
	f.bPage("listing after proposing (B)")
	b.open("/t/" + slug + "/my/listings")
	if got := exchangeState(b); got != f.L.T("offw.ex_proposed") {
		t.Errorf("B's exchanges show %q, want %q", got, f.L.T("offw.ex_proposed"))
	}
	f.bPage("my listings (B, proposed)")
}

func (f *offersFlow) accept(t *testing.T) {
	a := f.tabA
	a.t = t
	a.open(f.listingPath())
	if got := strings.TrimSpace(a.text("main ul.exchanges li")); !strings.Contains(got, proposal) {
		t.Errorf("A's listing page lists the exchange as %q, want B's proposal", got)
	}
	a.clickAndWait(`main a[href="/t/` + slug + `/my/listings"]`)
	h1(a, f.L.T("offw.my_title"))
	if got := exchangeState(a); got != f.L.T("offw.ex_proposed") {
		t.Errorf("A's exchanges show %q, want %q", got, f.L.T("offw.ex_proposed"))
	}
	if got := strings.TrimSpace(a.text("main ul.exchanges blockquote")); got != proposal {
		t.Errorf("A sees the proposal as %q, want %q", got, proposal)
	}
	f.page(a, "my listings (A, proposed)")
	f.c.screenshot(a, f.run.lang+"-my-listings")
	a.clickAndWait(exchangeButton("accept"))
	if msg := flash(a); msg != f.L.T("offw.exchange_done") {
		t.Errorf("after accepting the page says %q, want %q", msg, f.L.T("offw.exchange_done"))
	}
	if got := exchangeState(a); got != f.L.T("offw.ex_accepted") {
		t.Errorf("after accepting A's exchanges show %q, want %q", got, f.L.T("offw.ex_accepted"))
	}
	f.page(a, "my listings (A, accepted)")
}

func (f *offersFlow) markDone(t *testing.T) {
	a, b := f.tabA, f.tabB
	a.t, b.t = t, t
	a.clickAndWait(exchangeButton("done"))
	if got := exchangeState(a); got != f.L.T("offw.ex_accepted") {
		t.Errorf("with only A's word the exchange is %q, want still %q", got, f.L.T("offw.ex_accepted"))
	}
	if eval[bool](a, `!!document.querySelector(`+strconv.Quote(exchangeButton("done"))+`)`) {
		t.Errorf("A can still mark done an exchange A marked done")
	}
	f.page(a, "my listings (A, done on A's side)")

	b.open("/t/" + slug + "/my/listings")
	if got := exchangeState(b); got != f.L.T("offw.ex_accepted") {
		t.Errorf("B's exchanges show %q, want %q", got, f.L.T("offw.ex_accepted"))
	}
	b.clickAndWait(exchangeButton("done"))
	if got := exchangeState(b); got != f.L.T("offw.ex_done") {
		t.Errorf("after both marked it done B's exchange is %q, want %q", got, f.L.T("offw.ex_done"))
	}
	f.bPage("my listings (B, done)")
}

func (f *offersFlow) review(t *testing.T) {
	type side struct {
		tb              *tab
		label           string
		rating, comment string
		reviewer        int64
		reviewee        int64
	}
	for _, s := range []side{
		{f.tabB, "B", "5", "Perceuse puissante, prêt très simple. Merci !", f.idB, f.idA},
		{f.tabA, "A", "4", "Rendue propre et à l'heure.", f.idA, f.idB},
	} {
		tb := s.tb
		tb.t = t
		tb.open("/t/" + slug + "/my/listings")
		form := `main ul.exchanges form.review`
		tb.do(s.label+" chooses a rating", chromedp.SetValue(chromedp.CSS(form+` select[name="rating"]`), s.rating))
		tb.do(s.label+" writes a comment", chromedp.SendKeys(chromedp.CSS(form+` input[name="comment"]`), s.comment))
		tb.clickAndWait(form + ` button`)
		if msg := flash(tb); msg != f.L.T("offw.exchange_done") {
			t.Errorf("after %s's review the page says %q, want %q", s.label, msg, f.L.T("offw.exchange_done"))
		}
		if eval[bool](tb, `!!document.querySelector(`+strconv.Quote(form)+`)`) {
			t.Errorf("%s is still offered the review form after reviewing", s.label)
		}
		if s.label == "B" {
			f.bPage("my listings (B, reviewed)")
		} else {
			f.page(tb, "my listings (A, reviewed)")
		}
		prof, err := f.srv.offers.Profile(context.Background(), access.SystemActor(), f.srv.ter, s.reviewee)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range prof.Reviews {
			found = found || (r.ReviewerID == s.reviewer && strconv.Itoa(r.Rating) == s.rating && r.Comment == s.comment)
		}
		if !found || prof.ExchangesDone != 1 {
			t.Errorf("%s's review is not on the profile of the other: %+v", s.label, prof)
		}
	}
}
