package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
)

// initiativeForm is a valid contribution form, as a browser posts it.
func initiativeForm(name string) url.Values {
	return url.Values{
		"name":               {name},
		"summary":            {"Des bénévoles aident à réparer vélos et petits appareils."},
		"description":        {"**Atelier** du samedi\n\n<script>alert('x')</script><img src=x onerror=alert(1)>"},
		"categories":         {"waste_repair", "commons"},
		"tags":               {"vélo, atelier"},
		"kind":               {"association"},
		"address":            {"12 rue des Alliés, Grenoble"},
		"lat":                {"45,1780"}, // a French decimal comma
		"lon":                {"5.7190"},
		"opens_6_1":          {"9h"},
		"closes_6_1":         {"12:30"},
		"opens_6_2":          {"14:00"},
		"closes_6_2":         {"18:00"},
		"website":            {"https://example.org/atelier"},
		"email":              {"atelier@example.org"},
		"phone":              {"04 76 00 00 00"},
		"commons_resource":   {"Les outils de l'atelier"},
		"commons_community":  {"Les adhérents"},
		"commons_governance": {"Une assemblée par mois"},
	}
}

var initiativePathRE = regexp.MustCompile(`^/t/test/initiatives/([0-9]+)$`)

// contribute posts the form and returns the new initiative's id.
func (e *testEnv) contribute(c *http.Client, form url.Values) int64 {
	e.t.Helper()
	resp := e.form(c, "/t/test/initiatives/new", form)
	body := readBody(resp)
	m := initiativePathRE.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		e.t.Fatalf("contribute: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// published adds a published initiative through the service.
func (e *testEnv) published(name string, p geo.Point, cats ...string) *directory.Initiative {
	e.t.Helper()
	in := &directory.Initiative{Name: name, Summary: "Résumé de " + name, Categories: cats, Kind: directory.KindAssociation, Position: p}
	if err := e.directory.Contribute(context.Background(), access.SystemActor(), e.ter, in); err != nil {
		e.t.Fatal(err)
	}
	return in
}

func expect(t *testing.T, resp *http.Response, status int, want ...string) string {
	t.Helper()
	body := readBody(resp)
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Fatalf("%s %s: %q missing in\n%s", resp.Request.Method, resp.Request.URL.Path, w, body)
		}
	}
	return body
}

func TestDirectoryPagesInBothLanguages(t *testing.T) {
	e := newTestEnv(t, nil)
	in := e.published("Repair Café des Eaux-Claires", geo.Point{Lat: 45.175, Lon: 5.715}, "waste_repair")
	e.published("Jardin partagé Mistral", geo.Point{Lat: 45.18, Lon: 5.70}, "food")
	id := strconv.FormatInt(in.ID, 10)
	pages := []struct {
		path   string
		fr, en string
	}{
		{"/t/test/", "Déchets et réparation", "Waste and repair"},
		{"/t/test/map", "Carte des initiatives de Testville", "Map of the initiatives of Testville"},
		{"/t/test/initiatives", "2 résultats", "2 results"},
		{"/t/test/initiatives?q=eaux+claires", "Repair Café des Eaux-Claires", "Repair Café des Eaux-Claires"},
		{"/t/test/initiatives?category=food&sort=name", "1 résultat", "1 result"},
		{"/t/test/initiatives?lat=45.175&lon=5.715&sort=distance&radius=5", "à 0 m", "0 m away"},
		{"/t/test/initiatives/" + id, "Proposer une modification", "Propose a change"},
		{"/t/test/initiatives/" + id + "/revisions", "Version 1", "Version 1"},
		{"/t/test/mapjams", "Aucune cartopartie", "No MapJam yet"},
		{"/t/test/open-data", "export?format=geojson", "Open data"},
	}
	c := e.client()
	for _, pg := range pages {
		t.Run(pg.path, func(t *testing.T) {
			body := expect(t, e.get(c, pg.path, "Accept-Language", "fr"), http.StatusOK, pg.fr, `<html lang="fr">`)
			if strings.Count(body, "<h1") != 1 {
				t.Errorf("%s: want one h1", pg.path)
			}
			if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
				t.Errorf("%s: inline script or style breaks the CSP", pg.path)
			}
			sep := "?"
			if strings.Contains(pg.path, "?") {
				sep = "&"
			}
			body = expect(t, e.get(e.client(), pg.path+sep+"lang=en"), http.StatusOK, pg.en, `<html lang="en">`)
			if strings.Contains(body, ">dir.") || strings.Contains(body, `"dir.`) {
				t.Errorf("%s: untranslated key in %s", pg.path, body)
			}
		})
	}
	expect(t, e.get(c, "/t/test/initiatives/999999"), http.StatusNotFound)
	expect(t, e.get(c, "/t/test/initiatives/abc"), http.StatusNotFound)
	expect(t, e.get(c, "/t/nowhere/map"), http.StatusNotFound)
	// Bad search input is a 400 with the message, never a 500.
	expect(t, e.get(c, "/t/test/initiatives?lat=north&lon=5"), http.StatusBadRequest, "La position doit")
	expect(t, e.get(c, "/t/test/initiatives?category=nope"), http.StatusBadRequest, "Catégorie inconnue")
	expect(t, e.get(c, "/t/test/initiatives?page=0"), http.StatusBadRequest)
	// The form page sends anonymous visitors to the login page.
	resp := e.get(c, "/t/test/initiatives/new")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous form: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	readBody(resp)
}

func TestContributeModeratePublish(t *testing.T) {
	e := newTestEnv(t, nil)
	member, _ := e.member("lea@example.org", access.Member)
	mod, _ := e.member("modo@example.org", access.Moderator)
	anon := e.client()

	expect(t, e.get(member, "/t/test/initiatives/new"), http.StatusOK, `name="lat"`, `id="pick-map"`, "<legend>Catégories")
	id := e.contribute(member, initiativeForm("Atelier vélo <b>solidaire</b>"))
	page := "/t/test/initiatives/" + strconv.FormatInt(id, 10)

	// The author sees the pending entry with the flash; nobody else does.
	body := expect(t, e.get(member, page), http.StatusOK, "attend la validation", "en attente de validation",
		"Atelier vélo &lt;b&gt;solidaire&lt;/b&gt;", "<strong>Atelier</strong>", "de 09:00 à 12:30", "de 14:00 à 18:00")
	for _, bad := range []string{"<script>alert", "onerror", "<b>solidaire"} {
		if strings.Contains(body, bad) {
			t.Fatalf("unsanitised %q on the page", bad)
		}
	}
	expect(t, e.get(anon, page), http.StatusNotFound)
	in, err := e.directory.Get(context.Background(), access.SystemActor(), e.ter, id)
	if err != nil || in.Status != directory.StatusPending || in.Position.Lat != 45.178 || len(in.OpeningHours) != 2 || in.Commons.Governance == "" {
		t.Fatalf("stored: %+v %v", in, err)
	}

	// A member may not moderate.
	expect(t, e.get(member, "/t/test/moderation"), http.StatusForbidden)
	expect(t, e.form(member, page+"/publish", nil), http.StatusForbidden)

	// The moderator finds it in the queue and publishes it.
	expect(t, e.get(mod, "/t/test/moderation"), http.StatusOK, "Atelier vélo", page+"/publish")
	resp := e.form(mod, page+"/publish", url.Values{"next": {"/t/test/moderation"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/t/test/moderation" {
		t.Fatalf("publish: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	readBody(resp)
	expect(t, e.get(anon, page), http.StatusOK, "Atelier vélo")
	expect(t, e.get(anon, "/t/test/initiatives?q=velo"), http.StatusOK, page)

	// A member's change waits; the moderator approves it from the history.
	form := initiativeForm("Atelier vélo solidaire")
	form.Set("comment", "nom corrigé")
	resp = e.form(member, page+"/edit", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", resp.StatusCode, readBody(resp))
	}
	readBody(resp)
	expect(t, e.get(member, page), http.StatusOK, "attend la validation")
	expect(t, e.get(mod, page+"/revisions"), http.StatusOK, "Version 2", "<del>", "<ins>", "nom corrigé", "/revisions/2/approve")
	expect(t, e.form(mod, page+"/revisions/2/approve", nil), http.StatusSeeOther)
	expect(t, e.get(anon, page), http.StatusOK, "<h1>Atelier vélo solidaire</h1>")
	// Restoring the first version is for moderators, and it works.
	expect(t, e.form(member, page+"/revisions/1/restore", nil), http.StatusForbidden)
	expect(t, e.form(mod, page+"/revisions/1/restore", nil), http.StatusSeeOther)
	expect(t, e.get(anon, page+"/revisions"), http.StatusOK, "Version 3", "Rétablit la version 1")

	// Reports need a reason, then reach the queue and are resolved.
	expect(t, e.form(member, page+"/report", url.Values{"form": {"report"}, "reason": {""}}), http.StatusBadRequest, "f-report-reason-error")
	expect(t, e.form(member, page+"/report", url.Values{"reason": {"Fermé depuis juin"}}), http.StatusSeeOther)
	body = expect(t, e.get(mod, "/t/test/moderation"), http.StatusOK, "Fermé depuis juin")
	m := regexp.MustCompile(`/t/test/reports/([0-9]+)/resolve`).FindString(body)
	expect(t, e.form(mod, m, url.Values{"resolution": {"vérifié"}}), http.StatusSeeOther)
}

func TestContributeInvalidForm(t *testing.T) {
	e := newTestEnv(t, nil)
	member, _ := e.member("lea@example.org", access.Member)
	form := initiativeForm("")
	form.Del("categories")
	form.Set("lat", "nord")
	form.Set("closes_6_1", "25:00")
	body := expect(t, e.form(member, "/t/test/initiatives/new?lang=en", form), http.StatusBadRequest)
	for _, want := range []string{`id="form-errors"`, "Choose at least one category", "Latitude and longitude must be numbers", `href="#f-categories"`,
		"Invalid opening hours", `aria-describedby="f-name-error"`, `value="12 rue des Alliés, Grenoble"`, `value="nord"`} {
		if !strings.Contains(body, want) {
			t.Errorf("%q missing", want)
		}
	}
	// Outside the territory: the service's own message, in French.
	form = initiativeForm("Loin")
	form.Set("lat", "48.85")
	form.Set("lon", "2.35")
	expect(t, e.form(member, "/t/test/initiatives/new?lang=fr", form), http.StatusBadRequest, "en dehors du territoire", `value="Loin"`)
	res, _ := e.directory.Search(context.Background(), e.ter, directory.Query{})
	if res.Total != 0 {
		t.Fatalf("a refused form wrote %d initiatives", res.Total)
	}

	// Someone signed in but not a member is offered to join instead.
	outsider, _ := e.member("tom@example.org", "")
	expect(t, e.get(outsider, "/t/test/initiatives/new"), http.StatusOK, `action="/t/test/join"`)
	expect(t, e.form(outsider, "/t/test/initiatives/new", initiativeForm("Atelier")), http.StatusForbidden)
}

func TestMapJamPages(t *testing.T) {
	e := newTestEnv(t, nil)
	member, _ := e.member("lea@example.org", access.Member)
	mod, _ := e.member("modo@example.org", access.Moderator)
	jam := url.Values{"title": {"Cartopartie du quartier"}, "place": {"Maison des habitants"},
		"starts_at": {"2020-01-01T10:00"}, "ends_at": {"2099-01-01T10:00"}}
	expect(t, e.form(member, "/t/test/mapjams", jam), http.StatusForbidden)
	bad := url.Values{"title": {"X"}, "starts_at": {"demain"}, "ends_at": {"2099-01-01T10:00"}}
	expect(t, e.form(mod, "/t/test/mapjams", bad), http.StatusBadRequest, "f-starts_at-error")
	long := url.Values{"title": {"Cartopartie du quartier"}, "starts_at": {"2030-01-01T10:00"}, "ends_at": {"2031-01-01T10:00"}}
	expect(t, e.form(mod, "/t/test/mapjams", long), http.StatusBadRequest, "deux semaines")

	// A jam planned for later, then closed early.
	jam.Set("ends_at", "2030-01-10T10:00")
	jam.Set("starts_at", "2030-01-01T10:00")
	resp := e.form(mod, "/t/test/mapjams", jam)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/t/test/mapjams/") {
		t.Fatalf("open jam: %d %s", resp.StatusCode, readBody(resp))
	}
	readBody(resp)
	expect(t, e.get(member, loc), http.StatusOK, "Cartopartie du quartier", "01/01/2030 à 10h00", "Maison des habitants")
	expect(t, e.get(member, "/t/test/mapjams?lang=en"), http.StatusOK, "from 1 Jan 2030, 10:00 to 10 Jan 2030, 10:00")
	expect(t, e.form(member, loc+"/close", nil), http.StatusForbidden)
	expect(t, e.form(mod, loc+"/close", nil), http.StatusSeeOther)
	expect(t, e.get(member, "/t/test/mapjams/424242"), http.StatusNotFound)
}

// Leaflet's controls speak English; every map page hands the scripts its
// own labels in the page language, and loads mapkit.js (which applies them)
// before the page's map script.
func TestMapControlsSpeakThePageLanguage(t *testing.T) {
	e := newTestEnv(t, nil)
	in := e.published("Repair Café des Eaux-Claires", geo.Point{Lat: 45.175, Lon: 5.715}, "waste_repair")
	member, _ := e.member("lea@example.org", access.Member)
	pages := []struct {
		name, path, script string
		fr, en             []string
	}{
		{"map", "/t/test/map", "js/map.js",
			[]string{`data-label-count-one="{n} initiative dans cette zone."`, `data-label-count-other="{n} initiatives dans cette zone."`, `data-label-count-zero="Aucune initiative`, `data-label-single="Initiative n°`, `id="map-filters-box"`},
			[]string{`data-label-count-one="{n} initiative in this area."`, `data-label-single="Initiative no. {id}"`, `>Filters</summary>`}},
		{"initiative", "/t/test/initiatives/" + strconv.FormatInt(in.ID, 10), "js/minimap.js", nil, nil},
		{"contribute form", "/t/test/initiatives/new", "js/pick.js",
			[]string{`data-label-marker="Position choisie`}, []string{`data-label-marker="Chosen position`}},
	}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			fr := append([]string{`data-label-zoom-in="Zoomer"`, `data-label-zoom-out="Dézoomer"`, `data-label-close="Fermer"`}, pg.fr...)
			body := expect(t, e.get(member, pg.path+"?lang=fr"), http.StatusOK, fr...)
			kit, page := strings.Index(body, "/static/js/mapkit.js"), strings.Index(body, "/static/"+pg.script)
			if kit < 0 || page < 0 || kit > page {
				t.Errorf("%s: mapkit.js must load before %s", pg.path, pg.script)
			}
			en := append([]string{`data-label-zoom-in="Zoom in"`, `data-label-zoom-out="Zoom out"`, `data-label-close="Close"`}, pg.en...)
			expect(t, e.get(member, pg.path+"?lang=en"), http.StatusOK, en...)
		})
	}
}
