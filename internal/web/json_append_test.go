package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// TestAppendHitMatchesEncoder checks that the search page's appender
// writes, byte for byte, what json.Encoder writes for initiativeJSON,
// over the strings, numbers, times and optional fields that make the
// encoders differ.
func TestAppendHitMatchesEncoder(t *testing.T) {
	ter := &territory.Territory{Slug: "grand-lyon-2"}
	full := fullInitiative()
	bare := directory.Initiative{ID: 1, Name: "x", Kind: directory.KindAssociation, Status: directory.StatusPublished}
	cases := []struct {
		name string
		in   directory.Initiative
		d    *float64
	}{
		{"full", full, ptr(1234.5678)},
		{"bare, no distance", bare, nil},
		{"zero distance", bare, ptr(0)},
		{"tiny numbers", withPosition(bare, 1e-7, -5e-324), ptr(3e-9)},
		{"huge numbers", withPosition(bare, -89.999999999, 179.99999999999997), ptr(1e21)},
		{"round numbers", withPosition(bare, 45, -4), ptr(100)},
		{"empty lists", withLists(full, []string{}, nil), ptr(1)},
		{"local time", withTimes(bare, time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))), ptr(2)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := &Server{}
			var want bytes.Buffer
			x := hitJSON{Initiative: srv.initiativeJSON(ter, &tc.in, false), DistanceM: tc.d}
			if err := json.NewEncoder(&want).Encode(&x); err != nil {
				t.Fatal(err)
			}
			got := appendHit(nil, ter.Slug, &tc.in, tc.d)
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("appendHit:\n got %s\nwant %s", got, want.Bytes())
			}
		})
	}
}

// fullInitiative fills every field a list carries, with the strings,
// numbers and times that make the encoders differ.
func fullInitiative() directory.Initiative {
	created := time.Date(2026, 11, 26, 6, 1, 2, 123456000, time.UTC)
	return directory.Initiative{
		ID: 12345678901, Name: `Répar'café "du" <marché> & co`, Summary: "tab\there\nline\r\b\f\x01\x1f\x7f",
		Description: "ligne\u2028para\u2029fin \xff\xfe invalid, emoji 🚲, é", Categories: []string{"food", "repair"},
		Tags: []string{"vélo", "<b>"}, Kind: directory.KindAssociation, Address: `1 rue \ "X"`,
		Position:     geo.Point{Lat: 45.764043, Lon: 4.835659},
		OpeningHours: []directory.OpeningHours{{Day: 1, Opens: "09:00", Close: "12:00"}, {Day: 7, Opens: "<", Close: "&"}},
		Website:      "https://example.org/?a=1&b=<2>", Email: "a@b.c", Phone: "+33 4",
		OrganisationID: 7, Commons: directory.Commons{Resource: "jardin", Governance: "<règles>"},
		Status: directory.StatusPublished, RejectReason: "no", MapJamID: 3, Revision: 12,
		CreatedAt: created, UpdatedAt: created.Add(time.Second),
	}
}

func ptr(f float64) *float64 { return &f }

func withPosition(in directory.Initiative, lat, lon float64) directory.Initiative {
	in.Position = geo.Point{Lat: lat, Lon: lon}
	return in
}

func withLists(in directory.Initiative, cats, tags []string) directory.Initiative {
	in.Categories, in.Tags = cats, tags
	return in
}

func withTimes(in directory.Initiative, t time.Time) directory.Initiative {
	in.CreatedAt, in.UpdatedAt = t, t
	return in
}

// TestSearchPageMatchesEncoder checks whole search pages, "near me" and
// by words, against the encoding/json path they replaced.
func TestSearchPageMatchesEncoder(t *testing.T) {
	e := newTestEnv(t, nil)
	for i, name := range []string{`Atelier <vélo> & "co"`, "Atelier\u2028couture", "Jardin partagé"} {
		in := &directory.Initiative{Name: name, Summary: "<p>", Description: "desc\n" + name, Categories: []string{"food"},
			Kind: directory.KindAssociation, Position: geo.Point{Lat: 45.17 + float64(i)/100, Lon: 5.70 + float64(i)/100}}
		if err := e.directory.Contribute(context.Background(), access.SystemActor(), e.ter, in); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/search?near=45.18,5.71", "/search?q=atelier", "/search?near=45.18,5.71&limit=2&offset=1"} {
		body := expect(t, e.get(nil, "/api/v1/territories/test"+path), 200)
		q, err := ParseSearch(httptest.NewRequest("GET", path, nil).URL.Query())
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.directory.Search(context.Background(), e.ter, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) < 2 {
			t.Fatalf("%s: %d hits, want 2 or more", path, len(res.Items))
		}
		rec := httptest.NewRecorder()
		e.srv.writeHitsEncoded(rec, e.ter, res, q.Near != nil)
		if body != rec.Body.String() {
			t.Errorf("%s:\n got %s\nwant %s", path, body, rec.Body.String())
		}
	}
}

// TestAppendHitCoversEveryField guards appendHit against a field added to
// initiativeJSON and not to the appender: the "full" initiative of
// TestAppendHitMatchesEncoder must fill every field that lists carry, or a
// new field would be checked only while it is empty.
func TestAppendHitCoversEveryField(t *testing.T) {
	full := fullInitiative()
	v := reflect.ValueOf((&Server{}).initiativeJSON(&territory.Territory{Slug: "x"}, &full, false))
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if name == "DescriptionHTML" { // single reads only
			continue
		}
		if v.Field(i).IsZero() {
			t.Errorf("initiativeJSON.%s is empty in the full case: fill it, and teach appendHit to write it", name)
		}
	}
}
