package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// postMultipart posts fields and photo files to path.
func (e *testEnv) postMultipart(c *http.Client, path string, fields url.Values, files [][]byte) *http.Response {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for i, data := range files {
		fw, err := mw.CreateFormFile("photos", "p"+strconv.Itoa(i)+".png")
		if err != nil {
			e.t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

func TestEditListingPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		a, _ := e.member("a@example.org", access.Member)
		b, _ := e.member("b@example.org", access.Member)
		png := testPNG(t)
		resp := e.postMultipart(a, "/t/test/listings/new", drillForm(), [][]byte{png, png})
		loc := resp.Header.Get("Location")
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", resp.StatusCode, body)
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/t/test/listings/"), 10, 64)
		ctx := context.Background()
		before, err := e.offers.Get(ctx, access.Actor{}, e.ter, id)
		if err != nil || len(before.Photos) != 2 {
			t.Fatalf("created: %v %+v", err, before)
		}

		// The owner gets the form filled in, with the photos to remove;
		// the listing and "my listings" link to it.
		for _, c := range []struct{ path, want string }{
			{loc + "/edit?lang=en", `value="Perceuse"`},
			{loc + "/edit?lang=fr", `name="remove" value="` + before.Photos[0].Key + `"`},
			{loc + "/edit?lang=en", `value="` + drillLatStr + `"`},
			{loc + "?lang=en", `href="` + loc + `/edit"`},
			{"/t/test/my/listings?lang=fr", `href="` + loc + `/edit"`},
		} {
			resp := e.get(a, c.path)
			if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, c.want) {
				t.Errorf("%s: %d, want %q in %s", c.path, resp.StatusCode, c.want, body)
			}
		}

		// Anyone else: no form, no change, and no edit link.
		resp = e.get(b, loc+"/edit")
		if body := readBody(resp); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("other member's form: %d %s", resp.StatusCode, body)
		}
		f := drillForm()
		f.Set("title", "Volée")
		resp = e.postMultipart(b, loc+"/edit", f, nil)
		if body := readBody(resp); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("other member's edit: %d %s", resp.StatusCode, body)
		}
		resp = e.get(b, loc)
		if body := readBody(resp); strings.Contains(body, loc+"/edit") {
			t.Errorf("edit link shown to another member")
		}

		// An empty title comes back with the form as typed.
		f.Set("title", "")
		resp = e.postMultipart(a, loc+"/edit", f, nil)
		if body := readBody(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("empty title: %d %s", resp.StatusCode, body)
		}
		// Too many photos in all: refused, nothing changed.
		f.Set("title", "Perceuse à percussion")
		resp = e.postMultipart(a, loc+"/edit", f, [][]byte{png, png, png, png, png})
		if body := readBody(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-photos-error"`) {
			t.Errorf("seven photos: %d %s", resp.StatusCode, body)
		}

		// The owner renames it and removes the first photo.
		f.Set("remove", before.Photos[0].Key)
		resp = e.postMultipart(a, loc+"/edit", f, nil)
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != loc {
			t.Fatalf("edit: %d %s", resp.StatusCode, body)
		}
		after, err := e.offers.Get(ctx, access.Actor{}, e.ter, id)
		if err != nil || after.Title != "Perceuse à percussion" || len(after.Photos) != 1 || after.Photos[0].Key != before.Photos[1].Key {
			t.Fatalf("after edit: %v %+v", err, after)
		}
		if resp := e.get(b, "/media/"+before.Photos[0].Key); resp.StatusCode != http.StatusNotFound {
			t.Errorf("removed photo still served: %d", resp.StatusCode)
		}
		if resp := e.get(b, "/media/"+before.Photos[1].ThumbKey); resp.StatusCode != http.StatusOK {
			t.Errorf("kept photo: %d", resp.StatusCode)
		}

		// A new photo is added to the kept one.
		f.Del("remove")
		resp = e.postMultipart(a, loc+"/edit", f, [][]byte{png})
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add photo: %d %s", resp.StatusCode, body)
		}
		if l, err := e.offers.Get(ctx, access.Actor{}, e.ter, id); err != nil || len(l.Photos) != 2 {
			t.Errorf("after adding: %v %+v", err, l)
		}
	})
}

func TestUnblockFromInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		a, _ := e.member("a@example.org", access.Member)
		b, _ := e.member("b@example.org", access.Member)
		resp := e.postMultipart(a, "/t/test/listings/new", drillForm(), nil)
		loc := resp.Header.Get("Location")
		readBody(resp)
		resp = e.form(b, loc+"/message", url.Values{"body": {"Bonjour"}})
		conv := resp.Header.Get("Location")
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("message: %d %s", resp.StatusCode, body)
		}

		// Without blocks the inbox has no blocked list.
		resp = e.get(a, "/t/test/messages?lang=en")
		if body := readBody(resp); strings.Contains(body, "Blocked members") {
			t.Errorf("blocked list without blocks: %s", body)
		}
		resp = e.form(a, conv+"/block", nil)
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("block: %d %s", resp.StatusCode, body)
		}
		resp = e.get(a, "/t/test/messages?lang=en")
		body := readBody(resp)
		m := regexp.MustCompile(`action="(/t/test/messages/blocked/(\d+)/unblock)"`).FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Blocked members") || m == nil {
			t.Fatalf("inbox after block: %d %s", resp.StatusCode, body)
		}
		bID, _ := strconv.ParseInt(m[2], 10, 64)
		l, err := e.offers.Get(context.Background(), access.Actor{}, e.ter, mustID(t, loc))
		if err != nil {
			t.Fatal(err)
		}
		blocked := func() bool {
			t.Helper()
			on, err := e.messages.Blocked(context.Background(), l.OwnerID, bID)
			if err != nil {
				t.Fatal(err)
			}
			return on
		}

		// B cannot lift A's block: B's own (absent) block is what goes.
		resp = e.form(b, "/t/test/messages/blocked/"+strconv.FormatInt(l.OwnerID, 10)+"/unblock", nil)
		readBody(resp)
		if !blocked() {
			t.Fatal("the blocked member lifted the block")
		}
		resp = e.form(b, conv, url.Values{"body": {"Encore moi"}})
		if body := readBody(resp); resp.StatusCode == http.StatusSeeOther {
			t.Errorf("blocked member could write: %s", body)
		}

		// A unblocks: the list empties and B can write again.
		resp = e.form(a, m[1], nil)
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/t/test/messages" {
			t.Fatalf("unblock: %d %s", resp.StatusCode, body)
		}
		if blocked() {
			t.Fatal("still blocked after unblock")
		}
		resp = e.get(a, "/t/test/messages?lang=fr")
		if body := readBody(resp); strings.Contains(body, "Membres bloqués") {
			t.Errorf("blocked list after unblock: %s", body)
		}
		resp = e.form(b, conv, url.Values{"body": {"Merci"}})
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("write after unblock: %d %s", resp.StatusCode, body)
		}
	})
}

func mustID(t *testing.T, loc string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/t/test/listings/"), 10, 64)
	if err != nil {
		t.Fatalf("listing location %q: %v", loc, err)
	}
	return id
}

// The search page carries its map: the container (hidden until the script
// runs), the script, and the public positions on the result cards.
func TestListingsSearchMap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		a, _ := e.member("a@example.org", access.Member)
		resp := e.postMultipart(a, "/t/test/listings/new", drillForm(), nil)
		loc := resp.Header.Get("Location")
		readBody(resp)
		l, err := e.offers.Get(context.Background(), access.Actor{}, e.ter, mustID(t, loc))
		if err != nil {
			t.Fatal(err)
		}
		want := `data-lat="` + strconv.FormatFloat(l.Position.Lat, 'f', -1, 64) + `"`
		for _, path := range []string{"/t/test/listings?lang=en", "/t/test/listings?lat=45.19&lon=5.72&radius_km=3&lang=fr"} {
			resp := e.get(e.client(), path)
			body := readBody(resp)
			for _, s := range []string{`id="listings-map"`, `hidden role="region"`, "js/listings.js", "js/mapkit.js", want} {
				if !strings.Contains(body, s) {
					t.Errorf("%s: no %q in %s", path, s, body)
				}
			}
			noExact(t, path, body)
		}
		resp = e.get(e.client(), "/static/js/listings.js")
		if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "listings-map") {
			t.Errorf("script: %d", resp.StatusCode)
		}
	})
}
