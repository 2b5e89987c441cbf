package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/offers"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// The exact position of the test drill: its digits must never reach
// another member, in any answer.
const (
	drillLat, drillLon       = 45.187654, 5.724321
	drillLatStr, drillLonStr = "45.187654", "5.724321"
)

func drillInput() map[string]any {
	return map[string]any{"mode": "lend", "title": "Perceuse <b>Bosch</b>", "description": "Avec mèches",
		"category": "goods_tools", "lat": drillLat, "lon": drillLon}
}

type listingOut struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	Lat       float64    `json:"lat"`
	Lon       float64    `json:"lon"`
	Exact     *pointJSON `json:"exact"`
	DistanceM *float64   `json:"distance_m"`
}

func noExact(t *testing.T, what, body string) {
	t.Helper()
	if strings.Contains(body, drillLatStr) || strings.Contains(body, drillLonStr) {
		t.Errorf("%s shows the exact position: %s", what, body)
	}
}

func TestListingsAPIContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		_, tokA := e.member("a@example.org", access.Member)
		_, tokB := e.member("b@example.org", access.Member)
		_, tokC := e.member("c@example.org", "")
		base := "/api/v1/territories/test/listings"

		resp := e.do(nil, "POST", base, tokA, drillInput())
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, readBody(resp))
		}
		l := decode[listingOut](t, resp)
		if l.ID == 0 || l.Lat == 0 || l.Lon == 0 {
			t.Fatalf("create answer: %+v", l)
		}
		if l.Lat == drillLat && l.Lon == drillLon {
			t.Error("public position is the exact one")
		}
		if l.Exact == nil || l.Exact.Lat != drillLat {
			t.Errorf("owner should see the exact position under exact: %+v", l.Exact)
		}
		if l.Title != "Perceuse <b>Bosch</b>" {
			t.Errorf("HTML is kept as text: %q", l.Title)
		}

		// Another member: search, read; never the exact position.
		resp = e.do(nil, "GET", base+"?near=45.19,5.72&radius=3000&q=perceuse&mode=lend", tokB, nil)
		body := readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"more":false`) || !strings.Contains(body, `"distance_m"`) {
			t.Fatalf("search: %d %s", resp.StatusCode, body)
		}
		noExact(t, "search", body)
		if !strings.Contains(body, fmt.Sprintf(`"id":%d`, l.ID)) {
			t.Errorf("search misses the listing: %s", body)
		}
		id := fmt.Sprint(l.ID)
		for _, tok := range []string{tokB, tokC, ""} {
			resp = e.do(nil, "GET", base+"/"+id, tok, nil)
			body = readBody(resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("get: %d %s", resp.StatusCode, body)
			}
			noExact(t, "get", body)
		}

		bad := []struct {
			name   string
			tok    string
			change func(m map[string]any)
			status int
		}{
			{"anonymous", "", func(map[string]any) {}, http.StatusUnauthorized},
			{"not a member", tokC, func(map[string]any) {}, http.StatusForbidden},
			{"negative price", tokA, func(m map[string]any) { m["mode"] = "rent"; m["price_cents"] = -5 }, http.StatusBadRequest},
			{"past expiry", tokA, func(m map[string]any) { m["expires_at"] = time.Now().Add(-time.Hour) }, http.StatusBadRequest},
			{"bad mode", tokA, func(m map[string]any) { m["mode"] = "steal" }, http.StatusBadRequest},
			{"outside", tokA, func(m map[string]any) { m["lat"] = 48.85 }, http.StatusBadRequest},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				in := drillInput()
				c.change(in)
				resp := e.do(nil, "POST", base, c.tok, in, "Accept-Language", "en")
				body := readBody(resp)
				if resp.StatusCode != c.status || !strings.Contains(body, `"message"`) {
					t.Errorf("status %d, want %d: %s", resp.StatusCode, c.status, body)
				}
			})
		}
		// Someone else's listing cannot be changed nor closed.
		for _, p := range []struct{ method, path string }{{"PATCH", base + "/" + id}, {"POST", base + "/" + id + "/close"}} {
			resp = e.do(nil, p.method, p.path, tokB, map[string]any{"title": "mine"})
			if body := readBody(resp); resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("%s %s by another: %d %s", p.method, p.path, resp.StatusCode, body)
			}
		}

		// Messages, then an exchange through the contract route.
		resp = e.do(nil, "POST", base+"/"+id+"/messages", tokB, map[string]any{"body": "Bonjour, dispo samedi ?"})
		if body := readBody(resp); resp.StatusCode != http.StatusCreated {
			t.Fatalf("message: %d %s", resp.StatusCode, body)
		}
		resp = e.do(nil, "GET", "/api/v1/territories/test/conversations", tokA, nil)
		body = readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"unread":1`) {
			t.Errorf("inbox: %d %s", resp.StatusCode, body)
		}
		noExact(t, "inbox", body)

		resp = e.do(nil, "POST", "/api/v1/listings/"+id+"/exchanges", tokB, map[string]any{"message": "Je la prends"})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("propose: %d %s", resp.StatusCode, readBody(resp))
		}
		ex := decode[struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}](t, resp)
		if ex.Status != "proposed" {
			t.Errorf("proposed: %+v", ex)
		}
		resp = e.do(nil, "POST", "/api/v1/listings/"+id+"/exchanges", tokA, map[string]any{"message": "x"})
		if body := readBody(resp); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("owner proposing: %d %s", resp.StatusCode, body)
		}
		resp = e.do(nil, "POST", "/api/v1/listings/999999/exchanges", tokB, map[string]any{})
		if body := readBody(resp); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown listing: %d %s", resp.StatusCode, body)
		}

		exBase := fmt.Sprintf("/api/v1/territories/test/exchanges/%d", ex.ID)
		steps := []struct {
			tok, path string
			body      any
			status    int
		}{
			{tokB, "/accept", nil, http.StatusForbidden},
			{tokA, "/accept", nil, http.StatusOK},
			{tokA, "/done", nil, http.StatusOK},
			{tokB, "/done", nil, http.StatusOK},
			{tokB, "/reviews", map[string]any{"rating": 5, "comment": "Super"}, http.StatusCreated},
			{tokB, "/reviews", map[string]any{"rating": 5}, http.StatusConflict},
			{tokA, "/reviews", map[string]any{"rating": 9}, http.StatusBadRequest},
		}
		for _, st := range steps {
			resp := e.do(nil, "POST", exBase+st.path, st.tok, st.body)
			body := readBody(resp)
			if resp.StatusCode != st.status {
				t.Errorf("%s: %d, want %d: %s", st.path, resp.StatusCode, st.status, body)
			}
			noExact(t, st.path, body)
		}
	})
}

// multipartListing posts the listing form with files (name -> content).
func (e *testEnv) multipartListing(c *http.Client, fields url.Values, files map[string][]byte) *http.Response {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("photos", name)
		if err != nil {
			e.t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+"/t/test/listings/new", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		for y := 0; y < 48; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func drillForm() url.Values {
	return url.Values{"kind": {"offer"}, "mode": {"lend"}, "title": {"Perceuse"}, "description": {"Avec mèches"},
		"category": {"goods_tools"}, "lat": {drillLatStr}, "lon": {drillLonStr}}
}

func TestListingPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		a, _ := e.member("a@example.org", access.Member)
		b, _ := e.member("b@example.org", access.Member)

		// A fake image is refused and nothing is created.
		resp := e.multipartListing(a, drillForm(), map[string][]byte{"drill.png": []byte("<?php echo 1; ?> not a picture")})
		body := readBody(resp)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-photos-error"`) || !strings.Contains(body, `value="Perceuse"`) {
			t.Fatalf("fake image: %d %s", resp.StatusCode, body)
		}
		res, err := e.offers.Search(context.Background(), access.Actor{}, e.ter, offers.Query{})
		if err != nil || len(res.Items) != 0 {
			t.Fatalf("fake image created something: %v %d", err, len(res.Items))
		}

		// A real photo: the listing is created with it and the file is served.
		resp = e.multipartListing(a, drillForm(), map[string][]byte{"drill.png": testPNG(t)})
		loc := resp.Header.Get("Location")
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/t/test/listings/") {
			t.Fatalf("create: %d %q %s", resp.StatusCode, loc, body)
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/t/test/listings/"), 10, 64)
		l, err := e.offers.Get(context.Background(), access.Actor{}, e.ter, id)
		if err != nil || len(l.Photos) != 1 {
			t.Fatalf("listing photos: %v %+v", err, l)
		}
		resp = e.get(b, "/media/"+l.Photos[0].ThumbKey)
		if body := readBody(resp); resp.StatusCode != http.StatusOK {
			t.Errorf("photo: %d %s", resp.StatusCode, body)
		}

		for _, lang := range []string{"fr", "en"} {
			for _, c := range []struct{ path, want string }{
				{"/t/test/listings?lang=" + lang, "Perceuse"},
				{"/t/test/listings?lat=45.19&lon=5.72&radius_km=3&lang=" + lang, map[string]string{"fr": "Prêt", "en": "Lend"}[lang]},
				{loc + "?lang=" + lang, map[string]string{"fr": "Proposer un échange", "en": "Propose an exchange"}[lang]},
				{"/t/test/listings/new?lang=" + lang, `enctype="multipart/form-data"`},
			} {
				resp := e.get(b, c.path)
				body := readBody(resp)
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, c.want) {
					t.Errorf("%s: %d, want %q in %s", c.path, resp.StatusCode, c.want, body)
				}
				noExact(t, c.path, body)
			}
		}

		// B writes to A and proposes; A sees the badge, the inbox, accepts.
		resp = e.form(b, loc+"/message", url.Values{"body": {"Bonjour, dispo samedi ?"}})
		conv := resp.Header.Get("Location")
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(conv, "/t/test/messages/") {
			t.Fatalf("message: %d %q %s", resp.StatusCode, conv, body)
		}
		resp = e.form(b, loc+"/exchange", url.Values{"message": {"Je la prends"}})
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("propose: %d %s", resp.StatusCode, body)
		}
		resp = e.get(a, "/t/test/messages?lang=en")
		body = readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "1 unread message") || !strings.Contains(body, "dispo samedi") {
			t.Errorf("inbox: %d %s", resp.StatusCode, body)
		}
		resp = e.get(a, conv+"?lang=fr")
		if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Bloquer ce membre") {
			t.Errorf("conversation: %d %s", resp.StatusCode, body)
		}
		resp = e.form(a, conv, url.Values{"body": {"Oui !"}})
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("reply: %d %s", resp.StatusCode, body)
		}
		resp = e.get(a, "/t/test/my/listings?lang=en")
		body = readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Accept") {
			t.Fatalf("my listings: %d %s", resp.StatusCode, body)
		}
		exs, err := e.offers.MyExchanges(context.Background(), access.Actor{UserID: l.OwnerID, Roles: map[int64]access.Role{e.ter.ID: access.Member}}, e.ter)
		if err != nil || len(exs) != 1 {
			t.Fatalf("exchanges: %v %d", err, len(exs))
		}
		resp = e.form(a, fmt.Sprintf("/t/test/exchanges/%d/step", exs[0].ID), url.Values{"action": {"accept"}})
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("accept: %d %s", resp.StatusCode, body)
		}
		for _, action := range []string{"pause", "resume", "renew", "close"} {
			resp = e.form(a, loc+"/status", url.Values{"action": {action}})
			if body := readBody(resp); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("%s: %d %s", action, resp.StatusCode, body)
			}
		}
		resp = e.form(b, loc+"/status", url.Values{"action": {"close"}})
		if body := readBody(resp); resp.StatusCode < 400 {
			t.Errorf("someone else's listing closed: %d %s", resp.StatusCode, body)
		}
		resp = e.form(a, conv+"/block", url.Values{})
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("block: %d %s", resp.StatusCode, body)
		}
	})
}
