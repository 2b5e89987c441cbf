package web

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// photosBody is a multipart body with files in the field "photos".
func photosBody(t *testing.T, files ...[]byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i, data := range files {
		fw, err := mw.CreateFormFile("photos", fmt.Sprintf("p%d.png", i))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// TestResourcePhotosAPI: the organisation's staff add photos to a
// resource and remove one through the API; a member who is not staff, a
// non-picture, a JSON body and an unknown key are refused.
func TestResourcePhotosAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		_, tokLib, _, org := e.runsOrg(t, "lib@example.org", "Outilthèque")
		_, tokA := e.member("a@example.org", access.Member)
		resp := e.do(nil, "POST", "/api/v1/territories/test/resources", tokLib,
			map[string]any{"organisation_id": org.ID, "kind": "item", "name": "Perceuse", "quantity": 1})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, readBody(resp))
		}
		res := decode[struct {
			ID int64 `json:"id"`
		}](t, resp)
		path := fmt.Sprintf("/api/v1/resources/%d/photos", res.ID)
		upload := func(tok string, files ...[]byte) *http.Response {
			body, ct := photosBody(t, files...)
			return e.do(nil, "POST", path, tok, body, "Content-Type", ct)
		}
		type photos struct {
			Photos []struct {
				URL      string `json:"url"`
				ThumbURL string `json:"thumb_url"`
			} `json:"photos"`
		}

		if resp := upload(tokA, testPNG(t)); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a member who is not staff uploads: %d %s", resp.StatusCode, readBody(resp))
		}
		if resp := upload("", testPNG(t)); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous upload: %d %s", resp.StatusCode, readBody(resp))
		}
		if resp := upload(tokLib, []byte("not a picture")); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("non-picture: %d %s", resp.StatusCode, readBody(resp))
		}
		if resp := upload(tokLib); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("no file: %d %s", resp.StatusCode, readBody(resp))
		}
		if resp := e.do(nil, "POST", path, tokLib, map[string]any{"photos": []string{}}); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("JSON body: %d %s", resp.StatusCode, readBody(resp))
		}
		resp = upload(tokLib, testPNG(t), testPNG(t))
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("upload: %d %s", resp.StatusCode, readBody(resp))
		}
		got := decode[photos](t, resp)
		if len(got.Photos) != 2 || !strings.HasPrefix(got.Photos[0].URL, "/media/") {
			t.Fatalf("after upload: %+v", got.Photos)
		}
		first := got.Photos[0].URL
		key := strings.TrimPrefix(first, "/media/")
		if resp := e.get(nil, first); resp.StatusCode != http.StatusOK {
			t.Fatalf("the photo is not served: %d", resp.StatusCode)
		}
		if resp := e.do(nil, "DELETE", path+"/"+key, tokA, nil); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a member who is not staff deletes: %d %s", resp.StatusCode, readBody(resp))
		}
		if resp := e.do(nil, "DELETE", path+"/nosuchkey.jpg", tokLib, nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown key: %d %s", resp.StatusCode, readBody(resp))
		}
		if resp := e.do(nil, "DELETE", path+"/"+key, tokLib, nil); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("delete: %d %s", resp.StatusCode, readBody(resp))
		}
		if resp := e.get(nil, first); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the removed photo's file is still served: %d", resp.StatusCode)
		}
		left := decode[photos](t, e.do(nil, "GET", fmt.Sprintf("/api/v1/resources/%d", res.ID), tokA, nil))
		if len(left.Photos) != 1 || left.Photos[0].URL == first {
			t.Fatalf("after delete: %+v", left.Photos)
		}
	})
}
