package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestOpenAPIMatchesRoutes fails when a route is served but not described,
// or described but not served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t, nil)
	served := map[string]bool{}
	for _, r := range e.srv.APIRoutes() {
		served[r] = true
	}
	described := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			described[method+" "+path] = true
		}
	}
	var missing, extra []string
	for r := range served {
		if !described[r] {
			missing = append(missing, r)
		}
	}
	for r := range described {
		if !served[r] {
			extra = append(extra, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("served but not in openapi.yaml: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("in openapi.yaml but not served: %v", extra)
	}
	resp := e.get(nil, "/api/openapi.json")
	body := readBody(resp)
	if resp.StatusCode != 200 || !strings.Contains(body, `"openapi": "3.1.0"`) {
		t.Fatalf("/api/openapi.json: %d %.200s", resp.StatusCode, body)
	}
	resp = e.get(nil, "/api/docs")
	body = readBody(resp)
	if resp.StatusCode != 200 {
		t.Fatalf("/api/docs: %d", resp.StatusCode)
	}
	// The document's description is Markdown: its code spans are code.
	if !strings.Contains(body, "<code>Authorization: Bearer TOKEN</code>") || strings.Contains(body, "`Authorization") {
		t.Errorf("/api/docs: the intro's Markdown is not rendered: %.300s", body[strings.Index(body, "<h1>"):])
	}
}

// specChecker validates real responses against the document.
type specChecker struct {
	t      *testing.T
	doc    *openapi3.T
	router routers.Router
}

func newSpecChecker(t *testing.T) *specChecker {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: "http://test.local"}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &specChecker{t: t, doc: doc, router: router}
}

// check validates resp (as an answer to method path) and returns its body.
func (c *specChecker) check(method, path string, resp *http.Response) []byte {
	c.t.Helper()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	req, _ := http.NewRequest(method, "http://test.local"+path, nil)
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Fatalf("%s %s: no route in the document: %v", method, path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		c.t.Errorf("%s %s -> %d does not match the document: %v\n%.300s", method, path, resp.StatusCode, err, body)
	}
	return body
}

func TestAPIContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		spec := newSpecChecker(t)
		_, memberTok := e.member("membre@example.org", access.Member)
		_, modTok := e.member("moderatrice@example.org", access.Moderator)
		base := "/api/v1/territories/test"

		body := spec.check("GET", base, e.get(nil, base))
		if !bytes.Contains(body, []byte(`"bbox":[5.67,45.15,5.76,45.22]`)) {
			t.Fatalf("territory without its bbox: %s", body)
		}
		spec.check("GET", "/api/v1/territories", e.get(nil, "/api/v1/territories"))
		spec.check("GET", "/api/v1/territories/nowhere", e.get(nil, "/api/v1/territories/nowhere"))

		// An organisation: the caller becomes its administrator.
		resp := e.do(nil, "POST", base+"/organisations", memberTok, map[string]any{"name": "Atelier vélo", "kind": "association"})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create organisation: %d %s", resp.StatusCode, readBody(resp))
		}
		org := decode[map[string]any](t, resp)
		if org["id"] == nil || org["id"].(float64) <= 0 {
			t.Fatalf("organisation without id: %v", org)
		}

		// A member's contribution waits; the moderator publishes it.
		in := map[string]any{"name": "Répar'café du marché", "kind": "association", "categories": []string{"waste_repair"},
			"summary": "On répare ensemble", "lat": 45.19, "lon": 5.72}
		resp = e.do(nil, "POST", base+"/initiatives", memberTok, in)
		created := spec.check("POST", base+"/initiatives", resp)
		if resp.StatusCode != http.StatusCreated || !bytes.Contains(created, []byte(`"status":"pending"`)) {
			t.Fatalf("contribute: %d %s", resp.StatusCode, created)
		}
		id := string(bytes.SplitN(bytes.SplitN(created, []byte(`"id":`), 2)[1], []byte(","), 2)[0])
		box := base + "/initiatives?bbox=5.70,45.17,5.75,45.21"
		if body := spec.check("GET", box, e.get(nil, box)); bytes.Contains(body, []byte("Répar")) {
			t.Fatalf("a pending initiative is on the public map: %s", body)
		}
		resp = e.do(nil, "POST", base+"/initiatives/"+id+"/publish", memberTok, nil)
		spec.check("POST", base+"/initiatives/"+id+"/publish", resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a member published: %d", resp.StatusCode)
		}
		resp = e.do(nil, "POST", base+"/initiatives/"+id+"/publish", modTok, nil)
		if body := spec.check("POST", base+"/initiatives/"+id+"/publish", resp); resp.StatusCode != 200 {
			t.Fatalf("publish: %d %s", resp.StatusCode, body)
		}
		body = spec.check("GET", box, e.get(nil, box))
		if !bytes.Contains(body, []byte(`"FeatureCollection"`)) || !bytes.Contains(body, []byte("Répar")) {
			t.Fatalf("published initiative not on the map: %s", body)
		}
		for _, q := range []string{"&q=repar", "&q=R%C3%89PARATION", "&category=waste_repair"} {
			if body := spec.check("GET", box+q, e.get(nil, box+q)); !bytes.Contains(body, []byte("Répar")) {
				t.Errorf("filter %s lost the initiative: %s", q, body)
			}
		}
		if body := spec.check("GET", box+"&category=food", e.get(nil, box+"&category=food")); bytes.Contains(body, []byte("Répar")) {
			t.Errorf("category filter kept another category: %s", body)
		}
		far := base + "/initiatives?bbox=5.67,45.15,5.68,45.16"
		if body := spec.check("GET", far, e.get(nil, far)); bytes.Contains(body, []byte("Répar")) {
			t.Errorf("initiative outside the box: %s", body)
		}
		clusters := base + "/initiatives?bbox=5.67,45.15,5.76,45.22&zoom=11"
		if body := spec.check("GET", clusters, e.get(nil, clusters)); !bytes.Contains(body, []byte(`"cluster":true`)) || !bytes.Contains(body, []byte(`"count":1,"id":`+id+`,"name":"Répar'café du marché"`)) {
			t.Errorf("no named single cluster at zoom 11: %s", body)
		}
		one := base + "/initiatives/" + id
		if body := spec.check("GET", one, e.get(nil, one)); !bytes.Contains(body, []byte(`"Feature"`)) {
			t.Errorf("one initiative: %s", body)
		}
		search := base + "/search?q=repar&near=45.19,5.72"
		if body := spec.check("GET", search, e.get(nil, search)); !bytes.Contains(body, []byte(`"total":1`)) {
			t.Errorf("search: %s", body)
		}
		revs := one + "/revisions"
		spec.check("GET", revs, e.get(nil, revs))
		spec.check("GET", base+"/moderation", e.do(nil, "GET", base+"/moderation", modTok, nil))
		spec.check("GET", base+"/export?format=geojson", e.get(nil, base+"/export?format=geojson"))
		spec.check("GET", "/api/v1/me", e.do(nil, "GET", "/api/v1/me", memberTok, nil))
	})
}

func TestMapCacheAndETag(t *testing.T) {
	e := newTestEnv(t, nil)
	_, modTok := e.member("mod@example.org", access.Moderator)
	box := "/api/v1/territories/test/initiatives?bbox=5.70,45.17,5.75,45.21"
	first := e.get(nil, box)
	etag := first.Header.Get("ETag")
	readBody(first)
	if etag == "" || first.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("headers: %v", first.Header)
	}
	if resp := e.get(nil, box, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("same ETag: status %d", resp.StatusCode)
	}
	// A change to the territory's data must show at once on this instance.
	resp := e.do(nil, "POST", "/api/v1/territories/test/initiatives", modTok, map[string]any{
		"name": "Grainothèque", "kind": "commons", "categories": []string{"commons"}, "lat": 45.19, "lon": 5.72})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("contribute: %d %s", resp.StatusCode, readBody(resp))
	}
	readBody(resp)
	after := e.get(nil, box, "If-None-Match", etag)
	if body := readBody(after); after.StatusCode != 200 || !strings.Contains(body, "Grainoth") {
		t.Fatalf("after a change: %d %s", after.StatusCode, body)
	}
}

func TestAPIErrors(t *testing.T) {
	e := newTestEnv(t, nil)
	_, memberTok := e.member("m@example.org", access.Member)
	cases := []struct {
		name, method, path, token string
		body                      any
		lang                      string
		status                    int
		contains                  string
	}{
		{"bad bbox in French", "GET", "/api/v1/territories/test/initiatives?bbox=1,2,3", "", nil, "fr", 400, "minLon,minLat,maxLon,maxLat"},
		{"bad bbox in English", "GET", "/api/v1/territories/test/initiatives?bbox=a,b,c,d", "", nil, "en", 400, "The area must be written"},
		{"zoom out of range", "GET", "/api/v1/territories/test/initiatives?zoom=99", "", nil, "en", 400, "zoom"},
		{"unknown territory", "GET", "/api/v1/territories/nope/initiatives", "", nil, "en", 404, "territory does not exist"},
		{"write without login", "POST", "/api/v1/territories/test/initiatives", "", map[string]any{"name": "x"}, "en", 401, "log in"},
		{"bad token", "POST", "/api/v1/territories/test/initiatives", "sc_nope", map[string]any{"name": "x"}, "en", 401, ""},
		{"broken JSON", "POST", "/api/v1/territories/test/initiatives", memberTok, "{", "en", 400, "not valid JSON"},
		{"outside the territory", "POST", "/api/v1/territories/test/initiatives", memberTok, map[string]any{"name": "Loin", "kind": "association", "categories": []string{"food"}, "lat": 48.85, "lon": 2.35}, "en", 400, ""},
		{"unknown category", "POST", "/api/v1/territories/test/initiatives", memberTok, map[string]any{"name": "X", "kind": "association", "categories": []string{"casino"}, "lat": 45.19, "lon": 5.72}, "en", 400, ""},
		{"no such initiative", "GET", "/api/v1/territories/test/initiatives/999999", "", nil, "en", 404, ""},
		{"non-numeric id", "GET", "/api/v1/territories/test/initiatives/abc", "", nil, "en", 404, ""},
		{"moderation for a member", "GET", "/api/v1/territories/test/moderation", memberTok, nil, "en", 403, ""},
		{"unknown export format", "GET", "/api/v1/territories/test/export?format=xls", "", nil, "en", 400, "xls"},
		{"import by a member", "POST", "/api/v1/territories/test/import?format=csv", memberTok, "name,lat,lon\n", "en", 403, ""},
		{"search radius", "GET", "/api/v1/territories/test/search?near=45,5&radius=-3", "", nil, "en", 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := e.do(nil, tc.method, tc.path, tc.token, tc.body, "Accept-Language", tc.lang)
			body := readBody(resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if !strings.Contains(body, `"error"`) || !strings.Contains(body, tc.contains) {
				t.Fatalf("body %s does not contain %q", body, tc.contains)
			}
		})
	}
}

// TestAPIModerationActions drives the moderation endpoints that share the
// write helper: proposals, revisions, reports and MapJams.
func TestAPIModerationActions(t *testing.T) {
	e := newTestEnv(t, nil)
	spec := newSpecChecker(t)
	_, memberTok := e.member("membre@example.org", access.Member)
	_, modTok := e.member("mod@example.org", access.Moderator)
	base := "/api/v1/territories/test"
	in := map[string]any{"name": "Jardin partagé des Alliés", "kind": "commons", "categories": []string{"commons"}, "lat": 45.17, "lon": 5.73}
	resp := e.do(nil, "POST", base+"/initiatives", modTok, in)
	created := decode[map[string]any](t, resp)
	id := strconv.Itoa(int(created["id"].(float64)))
	one := base + "/initiatives/" + id

	// A member's change waits; the moderator approves it, then restores revision 1.
	in["name"] = "Jardin partagé des Alliés et de l'Abbaye"
	resp = e.do(nil, "PATCH", one, memberTok, in)
	if body := spec.check("PATCH", one, resp); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("member's change: %d %s", resp.StatusCode, body)
	}
	resp = e.do(nil, "POST", one+"/revisions/2/approve", memberTok, nil)
	if spec.check("POST", one+"/revisions/2/approve", resp); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a member approved: %d", resp.StatusCode)
	}
	resp = e.do(nil, "POST", one+"/revisions/2/approve", modTok, nil)
	if body := spec.check("POST", one+"/revisions/2/approve", resp); resp.StatusCode != 200 || !bytes.Contains(body, []byte("Abbaye")) {
		t.Fatalf("approve: %d %s", resp.StatusCode, body)
	}
	resp = e.do(nil, "POST", one+"/revisions/1/restore", modTok, nil)
	if body := spec.check("POST", one+"/revisions/1/restore", resp); resp.StatusCode != 200 || bytes.Contains(body, []byte("Abbaye")) {
		t.Fatalf("restore: %d %s", resp.StatusCode, body)
	}
	in["name"] = "Autre nom"
	readBody(e.do(nil, "PATCH", one, memberTok, in))
	resp = e.do(nil, "POST", one+"/revisions/4/reject", modTok, map[string]any{"reason": "nom inexact"})
	if spec.check("POST", one+"/revisions/4/reject", resp); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("reject revision: %d", resp.StatusCode)
	}
	resp = e.do(nil, "POST", one+"/revisions/x/reject", modTok, map[string]any{"reason": "?"})
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("bad revision number: %d", resp.StatusCode)
	}
	readBody(resp)

	// A report, seen in the queue and resolved.
	resp = e.do(nil, "POST", one+"/reports", memberTok, map[string]any{"reason": "adresse fausse"})
	rep := decode[map[string]any](t, resp)
	if resp.StatusCode != http.StatusCreated || rep["id"] == nil {
		t.Fatalf("report: %d %v", resp.StatusCode, rep)
	}
	repID := strconv.Itoa(int(rep["id"].(float64)))
	resp = e.do(nil, "POST", base+"/reports/"+repID+"/resolve", modTok, map[string]any{"resolution": "corrigée"})
	if spec.check("POST", base+"/reports/"+repID+"/resolve", resp); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("resolve: %d", resp.StatusCode)
	}

	// Reject needs a reason; archive works without a body.
	resp = e.do(nil, "POST", one+"/reject", modTok, map[string]any{})
	if spec.check("POST", one+"/reject", resp); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("reject without a reason: %d", resp.StatusCode)
	}
	resp = e.do(nil, "POST", one+"/archive", modTok, nil)
	if body := spec.check("POST", one+"/archive", resp); resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"archived"`)) {
		t.Fatalf("archive: %d %s", resp.StatusCode, body)
	}

	// MapJams: opened by a moderator, closed.
	resp = e.do(nil, "POST", base+"/mapjams", modTok, map[string]any{"title": "Cartopartie", "starts_at": "2026-12-05T13:00:00Z", "ends_at": "2026-12-05T17:00:00Z"})
	jam := decode[map[string]any](t, resp)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("open mapjam: %d %v", resp.StatusCode, jam)
	}
	close := base + "/mapjams/" + strconv.Itoa(int(jam["id"].(float64))) + "/close"
	if resp := e.do(nil, "POST", close, memberTok, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a member closed a mapjam: %d", resp.StatusCode)
	}
	resp = e.do(nil, "POST", close, modTok, nil)
	if spec.check("POST", close, resp); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("close mapjam: %d", resp.StatusCode)
	}
}
