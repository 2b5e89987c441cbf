package interchange

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
)

func TestReadGeoJSONSample(t *testing.T) {
	f, err := os.Open("testdata/sample.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, rowErrs, err := ReadGeoJSON(f, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 4 {
		t.Fatalf("%d items", len(items))
	}
	first := items[0]
	if first.SourceKey != "gl-1" || first.Initiative.Name != "Épicerie solidaire du Tonkin" ||
		first.Initiative.Position != (geo.Point{Lat: 45.7757, Lon: 4.8646}) ||
		!reflect.DeepEqual(first.Initiative.Categories, []string{"food"}) ||
		!reflect.DeepEqual(first.Initiative.Tags, []string{"épicerie", "solidarité"}) ||
		first.Initiative.Website != "https://epicerie.example.org" || len(first.Initiative.OpeningHours) != 5 {
		t.Errorf("feature 1: %+v", first)
	}
	// A null geometry with latitude/longitude properties (decimal commas),
	// an array of categories and structured opening hours.
	third := items[2].Initiative
	if third.Position != (geo.Point{Lat: 45.7465, Lon: 4.8235}) || !reflect.DeepEqual(third.Categories, []string{"waste_repair", "commons"}) ||
		third.Kind != directory.KindCommons || !reflect.DeepEqual(third.OpeningHours, slots(3, "18:00", "19:00")) {
		t.Errorf("feature 3: %+v", third)
	}
	var got []string
	for _, e := range rowErrs {
		got = append(got, fmt.Sprintf("%d:%s:%s", e.Row, e.Field, e.Key))
	}
	want := []string{"2:geo:err.geometry_type", "4:geo:err.geometry_missing"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("row errors %v, want %v", got, want)
	}
	if rowErrs[0].Args["Type"] != "LineString" {
		t.Errorf("args %v", rowErrs[0].Args)
	}
}

func TestReadGeoJSON(t *testing.T) {
	point := `"geometry":{"type":"Point","coordinates":[4.83,45.76]}`
	tests := []struct {
		name    string
		data    string
		items   int
		rowErrs []string
		fileErr string
		check   func(t *testing.T, items []Item)
	}{
		{name: "single feature", data: `{"type":"Feature","id":7,"properties":{"name":"A"},` + point + `}`, items: 1,
			check: func(t *testing.T, items []Item) {
				if items[0].SourceKey != "7" || items[0].Initiative.Name != "A" || items[0].Row != 1 {
					t.Errorf("%+v", items[0])
				}
			}},
		{name: "features before type", data: `{"features":[{"type":"Feature","properties":{"Nom":"B"},` + point + `}],"type":"FeatureCollection"}`, items: 1},
		{name: "altitude", data: `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Point","coordinates":[4.83,45.76,170]}}]}`, items: 1},
		{name: "property id beats feature id", data: `{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"properties":{"name":"A","ref":"R-9"},` + point + `}]}`, items: 1,
			check: func(t *testing.T, items []Item) {
				if items[0].SourceKey != "R-9" {
					t.Errorf("key %q", items[0].SourceKey)
				}
			}},
		{name: "geo_point_2d object", data: `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A","geo_point_2d":{"lat":45.7,"lon":4.8}},"geometry":null}]}`, items: 1,
			check: func(t *testing.T, items []Item) {
				if items[0].Initiative.Position != (geo.Point{Lat: 45.7, Lon: 4.8}) {
					t.Errorf("position %v", items[0].Initiative.Position)
				}
			}},
		{name: "numbers and booleans as text", data: `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":123,"tel":true},` + point + `}]}`, items: 1,
			check: func(t *testing.T, items []Item) {
				if items[0].Initiative.Name != "123" || items[0].Initiative.Phone != "true" {
					t.Errorf("%+v", items[0].Initiative)
				}
			}},
		{name: "explicit map", data: `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"libelle_long":"A","name":"short"},` + point + `}]}`, items: 1,
			check: func(t *testing.T, items []Item) {
				if items[0].Initiative.Name != "A" {
					t.Errorf("name %q", items[0].Initiative.Name)
				}
			}},
		{name: "bad features", items: 3, data: `{"type":"FeatureCollection","features":[
			{"type":"Feature","properties":{"name":"Out"},"geometry":{"type":"Point","coordinates":[200,45]}},
			{"type":"Feature","properties":{"name":"Short"},"geometry":{"type":"Point","coordinates":[4]}},
			{"type":"Polygon","coordinates":[]},
			42,
			{"type":"Feature","properties":{"name":{"fr":"A"}},` + point + `}]}`,
			rowErrs: []string{"1:geo:err.coordinates_range", "2:geo:err.geometry_format", "3:geo:err.geojson_feature", "4:geo:err.geojson_feature", "5:name:err.geojson_value_type"}},
		{name: "geometry collection", data: `{"type":"GeometryCollection","geometries":[]}`, fileErr: "err.geojson_type"},
		{name: "array", data: `[]`, fileErr: "err.geojson_format"},
		{name: "truncated", data: `{"type":"FeatureCollection","features":[{"type":"Feature"`, fileErr: "err.geojson_format"},
		{name: "not json", data: `nom;lat;lon`, fileErr: "err.geojson_format"},
		{name: "empty", data: ``, fileErr: "err.geojson_format"},
		{name: "no features", data: `{"type":"FeatureCollection","features":[]}`, fileErr: "err.import_empty"},
		{name: "features null", data: `{"type":"FeatureCollection","features":null}`, fileErr: "err.geojson_format"},
		{name: "trailing garbage", data: `{"type":"FeatureCollection","features":[]} x`, fileErr: "err.import_empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := ReadOptions{}
			if tc.name == "explicit map" {
				opts.Map = map[string]string{"name": "libelle_long"}
			}
			items, rowErrs, err := ReadGeoJSON(strings.NewReader(tc.data), opts)
			if tc.fileErr != "" {
				if e, ok := errs.As(err); !ok || e.Key != tc.fileErr {
					t.Fatalf("err = %v, want %s", err, tc.fileErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != tc.items {
				t.Errorf("%d items, want %d", len(items), tc.items)
			}
			var got []string
			for _, e := range rowErrs {
				got = append(got, fmt.Sprintf("%d:%s:%s", e.Row, e.Field, e.Key))
			}
			if !reflect.DeepEqual(got, tc.rowErrs) {
				t.Errorf("row errors %v, want %v", got, tc.rowErrs)
			}
			if tc.check != nil {
				tc.check(t, items)
			}
		})
	}
}

func TestReadGeoJSONLimits(t *testing.T) {
	t.Run("rows", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"type":"FeatureCollection","features":[`)
		for i := 0; i <= MaxRows; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Point","coordinates":[4.8,45.7]}}`)
		}
		b.WriteString(`]}`)
		_, _, err := ReadGeoJSON(strings.NewReader(b.String()), ReadOptions{})
		if e, ok := errs.As(err); !ok || e.Key != "err.import_too_many_rows" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("feature", func(t *testing.T) {
		data := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"` + strings.Repeat("x", maxRecordBytes+2*peekSize) + `"}}]}`
		_, _, err := ReadGeoJSON(strings.NewReader(data), ReadOptions{})
		if e, ok := errs.As(err); !ok || e.Key != "err.import_record_too_large" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("field", func(t *testing.T) {
		data := `{"type":"Feature","properties":{"name":"A","description":"` + strings.Repeat("x", MaxFieldBytes+1) + `"},"geometry":{"type":"Point","coordinates":[4.8,45.7]}}`
		_, rowErrs, err := ReadGeoJSON(strings.NewReader(data), ReadOptions{})
		if err != nil || len(rowErrs) != 1 || rowErrs[0].Key != "err.too_long" {
			t.Errorf("err = %v, row errors %+v", err, rowErrs)
		}
	})
}
