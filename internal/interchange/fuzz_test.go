package interchange

import (
	"bytes"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
)

// checkItems holds what every reader promises whatever the input: rows in
// order and in range, valid UTF-8 without NUL (PostgreSQL refuses it),
// bounded fields and row errors that name a row.
func checkItems(t *testing.T, items []Item, rowErrs []errs.FieldError, err error) {
	t.Helper()
	if err != nil {
		if _, ok := errs.As(err); !ok {
			t.Fatalf("error without a kind: %v", err)
		}
	}
	last := 0
	for _, it := range items {
		if it.Row <= last || it.Row > MaxRows {
			t.Fatalf("row %d after %d", it.Row, last)
		}
		last = it.Row
		in := it.Initiative
		texts := append([]string{it.SourceKey, in.Name, in.Summary, in.Description, string(in.Kind), in.Address, in.Website, in.Email, in.Phone,
			in.Commons.Resource, in.Commons.Community, in.Commons.Governance}, append(in.Categories, in.Tags...)...)
		for _, s := range texts {
			if !utf8.ValidString(s) || bytes.IndexByte([]byte(s), 0) >= 0 || len(s) > MaxFieldBytes+8 {
				t.Fatalf("row %d: bad text %q", it.Row, s)
			}
		}
		if !in.Position.Valid() {
			t.Fatalf("row %d: position %v", it.Row, in.Position)
		}
		for _, h := range in.OpeningHours {
			if h.Day < 1 || h.Day > 7 || h.Opens >= h.Close {
				t.Fatalf("row %d: hours %+v", it.Row, h)
			}
		}
		_ = in.Validate() // must not panic either
	}
	for _, e := range rowErrs {
		if e.Row < 1 || e.Key == "" || e.Field == "" {
			t.Fatalf("row error %+v", e)
		}
	}
}

func addFiles(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzReadCSV(f *testing.F) {
	addFiles(f, "lyon_initiatives_cp1252.csv", "ods_export_bom.csv", "english.tsv")
	for _, s := range []string{
		"nom,lat,lon\nA,45.7,4.8\n",
		"nom;geo;horaires\n\"A;B\";\"45,7, 4,8\";Mo-Fr 9h-12h\n",
		"\ufeffname\tlatitude\tlongitude\tcategories\nA\t1\t2\tfood|waste\n",
		"Titre\n\nnom,geo\nA,POINT(4.8 45.7)\n",
		"nom,lat,lon\n\"unterminated,45,4\n",
		"nom,lat,lon\n'=1+1,45,4\n",
		"nom,lat,lon,horaires\nA,NaN,Inf,24/7\n",
		"\xff\xfen\x00o\x00m\x00\t\x00g\x00e\x00o\x00\n\x00A\x00\t\x001\x00 \x002\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, rowErrs, err := ReadCSV(bytes.NewReader(data), CSVOptions{})
		checkItems(t, items, rowErrs, err)
		items, rowErrs, err = ReadCSV(bytes.NewReader(data), CSVOptions{Map: map[string]string{"name": "a", "lat": "b", "lon": "c"}, DefaultKind: directory.KindCommons})
		checkItems(t, items, rowErrs, err)
	})
}

func FuzzReadGeoJSON(f *testing.F) {
	addFiles(f, "sample.geojson")
	for _, s := range []string{
		`{"type":"Feature","id":1,"properties":{"name":"A"},"geometry":{"type":"Point","coordinates":[4.8,45.7]}}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nom":["x",1,null,{"a":1}],"geo_point_2d":{"lat":"x"}},"geometry":{"type":"Point","coordinates":[1e400,2]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"horaires":[{"day":1,"opens":"25:00","closes":"x"}]},"geometry":null}]}`,
		`{"features":[],"type":"FeatureCollection","bbox":[1,2,3,4]}`,
		`[{"type":"Feature"}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, rowErrs, err := ReadGeoJSON(bytes.NewReader(data), ReadOptions{})
		checkItems(t, items, rowErrs, err)
	})
}

func FuzzOpeningHours(f *testing.F) {
	for _, s := range []string{"Mo-Fr 09:00-18:00; Sa 10:00-12:00", "24/7", "du lundi au vendredi de 9h à 12h", "Sa-Mo 10-12", "PH off", "Mo 12:00-09:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hours, err := ParseOpeningHours(s)
		if err != nil {
			return
		}
		for _, h := range hours {
			if h.Day < 1 || h.Day > 7 || len(h.Opens) != 5 || len(h.Close) != 5 || h.Opens >= h.Close {
				t.Fatalf("%q: %+v", s, h)
			}
		}
		back, err := ParseOpeningHours(FormatOpeningHours(hours))
		if err != nil || len(back) != len(hours) {
			t.Fatalf("%q: formatted %q read back %v, %v", s, FormatOpeningHours(hours), back, err)
		}
	})
}
