package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/booking"
)

// postFiles posts a form with photos to path.
func (e *testEnv) postFiles(c *http.Client, path string, fields url.Values, photos ...[]byte) *http.Response {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for i, data := range photos {
		fw, err := mw.CreateFormFile("photos", fmt.Sprintf("p%d.png", i))
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

// runsOrg is a new member who runs a new organisation of the test territory.
func (e *testEnv) runsOrg(t *testing.T, email, name string) (*http.Client, string, access.Actor, *account.Organisation) {
	t.Helper()
	c, tok := e.member(email, access.Member)
	u, err := e.accounts.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	actor := access.Actor{UserID: u.ID, Roles: map[int64]access.Role{e.ter.ID: access.Member}}
	org, err := e.accounts.CreateOrganisation(context.Background(), actor, e.ter.ID, account.Organisation{Name: name, Kind: "association"})
	if err != nil {
		t.Fatal(err)
	}
	return c, tok, actor, org
}

func mustUserID(t *testing.T, e *testEnv, email string) int64 {
	t.Helper()
	u, err := e.accounts.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestResourcePhotos: the organisation adds a drill with a photo on the
// inventory form; its page, the list and the API show it; the staff add a
// second and remove the first; a member may not; a non-picture is refused.
func TestResourcePhotos(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	lib, _, _, org := e.runsOrg(t, "lib@example.org", "Outilthèque")
	a, _ := e.member("a@example.org", access.Member)
	inv := fmt.Sprintf("/t/test/organisations/%d/inventory", org.ID)
	fields := url.Values{"kind": {"item"}, "name": {"Perceuse"}, "quantity": {"2"}, "who": {"members"}}
	if resp := e.postFiles(lib, inv, fields, []byte("not a picture")); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad photo: %d", resp.StatusCode)
	}
	if resp := e.postFiles(lib, inv, fields, testPNG(t)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add with photo: %d %s", resp.StatusCode, readBody(resp))
	}
	list, err := e.booking.Resources(ctx, access.Actor{}, e.ter, booking.ResourceFilter{OrganisationID: org.ID})
	if err != nil || len(list) != 1 || len(list[0].Photos) != 1 {
		t.Fatalf("resources: %+v %v", list, err)
	}
	first := list[0].Photos[0]
	page := fmt.Sprintf("/t/test/resources/%d", list[0].ID)
	if _, err := e.booking.Book(ctx, access.Actor{UserID: mustUserID(t, e, "a@example.org"), Roles: map[int64]access.Role{e.ter.ID: access.Member}},
		e.ter, booking.Request{ResourceID: list[0].ID, Start: nextSaturday(time.Now(), 10), End: nextSaturday(time.Now(), 12)}); err != nil {
		t.Fatal(err)
	}
	desk := fmt.Sprintf("/t/test/organisations/%d/desk", org.ID)
	for _, path := range []string{page, "/t/test/resources", inv, desk} {
		if body := readBody(e.get(lib, path)); !strings.Contains(body, "/media/"+first.ThumbKey) {
			t.Errorf("%s does not show the photo", path)
		}
	}
	if body := readBody(e.get(lib, page)); !strings.Contains(body, `action="`+page+`/photos"`) {
		t.Error("the staff see no photo form")
	}
	if resp := e.postFiles(a, page+"/photos", nil, testPNG(t)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a member changes photos: %d", resp.StatusCode)
	}
	if resp := e.postFiles(lib, page+"/photos", url.Values{"remove": {first.Key}}, testPNG(t)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("replace photos: %d %s", resp.StatusCode, readBody(resp))
	}
	var got struct {
		Photos []struct {
			URL      string `json:"url"`
			ThumbURL string `json:"thumb_url"`
		} `json:"photos"`
	}
	resp := e.get(a, fmt.Sprintf("/api/v1/resources/%d", list[0].ID))
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(got.Photos) != 1 || got.Photos[0].URL == "/media/"+first.Key || !strings.HasPrefix(got.Photos[0].ThumbURL, "/media/") {
		t.Fatalf("API photos: %+v", got.Photos)
	}
	if resp := e.get(a, "/media/"+first.Key); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the removed photo's file is still served: %d", resp.StatusCode)
	}
}
