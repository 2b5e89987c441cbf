package interchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

var testTerritory = &territory.Territory{Slug: "lyon", Name: "Lyon", BBox: geo.BBox{MinLon: 4.7, MinLat: 45.7, MaxLon: 4.95, MaxLat: 45.82}}

// sampleInitiatives covers every written field and the awkward values: text
// with delimiters, quotes and line breaks, formula-like cells, a tag holding
// a comma, commons fields, several opening slots.
func sampleInitiatives() []directory.Initiative {
	return []directory.Initiative{
		{
			ID: 12, Name: "Repair Café « Croix-Rousse »", Summary: "Réparer, ensemble; sans \"jeter\"",
			Description: "Tous les samedis.\n\n- vélos\n- petit électroménager", Categories: []string{"waste_repair", "skills_services"},
			Tags: []string{"réparation", "vélo"}, Kind: directory.KindAssociation, Address: "12 rue d'Austerlitz, 69004 Lyon",
			Position: geo.Point{Lat: 45.776512, Lon: 4.831934}, Website: "https://repair.example.org", Email: "contact@repair.example.org",
			Phone:        "+33 4 78 00 00 01",
			OpeningHours: join(days(1, 5, "09:00", "12:00", "14:00", "18:00"), slots(6, "10:00", "13:00")),
			Status:       directory.StatusPublished, CreatedBy: 99, OrganisationID: 5,
		},
		{
			ID: 13, Name: "=HYPERLINK(\"http://evil.example\")", Summary: "@risky", Categories: []string{"commons"},
			Tags: []string{"jardin, potager"}, Kind: directory.KindCommons, Address: "-", Position: geo.Point{Lat: 45.75, Lon: 4.85},
			Commons: directory.Commons{Resource: "Un jardin", Community: "Les voisins", Governance: "Assemblée mensuelle\nouverte à tous"},
			Status:  directory.StatusPublished,
		},
		{
			ID: 14, Name: "'=quoted already", Categories: []string{"spaces"}, Tags: []string{}, Kind: directory.KindPublicService,
			Position: geo.Point{Lat: 45.8, Lon: 4.9}, Status: directory.StatusPublished,
		},
	}
}

func eachOf(list []directory.Initiative) Each {
	return func(yield func(*directory.Initiative) error) error {
		for i := range list {
			if err := yield(&list[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// editable keeps what a file carries, to compare an initiative with what
// was read back from its export.
func editable(in directory.Initiative) directory.Initiative {
	out := directory.Initiative{
		Name: in.Name, Summary: in.Summary, Description: in.Description, Categories: in.Categories, Tags: in.Tags,
		Kind: in.Kind, Address: in.Address, Position: in.Position, OpeningHours: in.OpeningHours,
		Website: in.Website, Email: in.Email, Phone: in.Phone, Commons: in.Commons,
	}
	if len(out.Tags) == 0 {
		out.Tags = nil
	}
	if len(out.OpeningHours) == 0 {
		out.OpeningHours = nil
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		write func(*bytes.Buffer, Each) error
		read  func(*bytes.Buffer) ([]Item, error)
	}{
		{"csv", func(b *bytes.Buffer, e Each) error { return WriteCSV(b, testTerritory, e, WriteOptions{}) },
			func(b *bytes.Buffer) ([]Item, error) {
				items, rowErrs, err := ReadCSV(b, CSVOptions{})
				if len(rowErrs) > 0 {
					t.Errorf("row errors %+v", rowErrs)
				}
				return items, err
			}},
		{"geojson", func(b *bytes.Buffer, e Each) error { return WriteGeoJSON(b, testTerritory, e, WriteOptions{}) },
			func(b *bytes.Buffer) ([]Item, error) {
				items, rowErrs, err := ReadGeoJSON(b, ReadOptions{})
				if len(rowErrs) > 0 {
					t.Errorf("row errors %+v", rowErrs)
				}
				return items, err
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := sampleInitiatives()
			var b bytes.Buffer
			if err := tc.write(&b, eachOf(src)); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			items, err := tc.read(&b)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if len(items) != len(src) {
				t.Fatalf("%d items read back", len(items))
			}
			for i, it := range items {
				if it.SourceKey != strconv.FormatInt(src[i].ID, 10) || it.Row != i+1 {
					t.Errorf("item %d: key %q row %d", i, it.SourceKey, it.Row)
				}
				want := editable(src[i])
				if got := editable(it.Initiative); !reflect.DeepEqual(got, want) {
					t.Errorf("item %d\n got %#v\nwant %#v\nfile:\n%s", i, got, want, out)
				}
				// What was read back must still be valid content.
				cp := it.Initiative
				if err := cp.Validate(); err != nil {
					t.Errorf("item %d does not validate: %v", i, err)
				}
			}
		})
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, testTerritory, eachOf(sampleInitiatives()), WriteOptions{BaseURL: "https://partage.example.org/"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if lines[0] != strings.Join(CSVHeader, ",") {
		t.Errorf("header %q", lines[0])
	}
	out := b.String()
	for _, want := range []string{
		`"Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-13:00"`, "waste_repair|skills_services", "https://partage.example.org/t/lyon/initiatives/12",
		`"'=HYPERLINK(""http://evil.example"")"`, ",'@risky,", `"jardin, potager|"`, "+33 4 78 00 00 01", `''=quoted already`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
	if strings.Contains(out, "99") {
		t.Errorf("the author's id leaked:\n%s", out)
	}
}

func TestWriteGeoJSON(t *testing.T) {
	var b bytes.Buffer
	list := append(sampleInitiatives(), directory.Initiative{ID: 15, Name: "Pending", Status: directory.StatusPending})
	if err := WriteGeoJSON(&b, testTerritory, eachOf(list), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string     `json:"type"`
		BBox     [4]float64 `json:"bbox"`
		Features []struct {
			Type     string `json:"type"`
			ID       int64  `json:"id"`
			Geometry struct {
				Type        string     `json:"type"`
				Coordinates [2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b.Bytes(), &fc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if fc.Type != "FeatureCollection" || fc.BBox != testTerritory.BBox.Array() || len(fc.Features) != 3 {
		t.Fatalf("collection %+v", fc)
	}
	f := fc.Features[0]
	if f.Type != "Feature" || f.ID != 12 || f.Geometry.Type != "Point" || f.Geometry.Coordinates != [2]float64{4.831934, 45.776512} {
		t.Errorf("feature %+v", f)
	}
	if f.Properties["url"] != "/t/lyon/initiatives/12" || f.Properties["opening_hours"] != "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-13:00" {
		t.Errorf("properties %v", f.Properties)
	}
	for _, private := range []string{"created_by", "organisation_id", "status", "reject_reason", "revision"} {
		if _, ok := f.Properties[private]; ok {
			t.Errorf("property %s written", private)
		}
	}
	if _, ok := fc.Features[2].Properties["categories"].([]any); !ok {
		t.Errorf("categories must be an array: %v", fc.Features[2].Properties)
	}
}

func TestWriteJSONLD(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSONLD(&b, testTerritory, eachOf(sampleInitiatives()), WriteOptions{BaseURL: "https://partage.example.org"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Context string           `json:"@context"`
		Graph   []map[string]any `json:"@graph"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if doc.Context != "https://schema.org" || len(doc.Graph) != 3 {
		t.Fatalf("doc %+v", doc)
	}
	org := doc.Graph[0]
	if !reflect.DeepEqual(org["@type"], []any{"Organization", "Place"}) || org["@id"] != "https://partage.example.org/t/lyon/initiatives/12" ||
		org["name"] != "Repair Café « Croix-Rousse »" || org["email"] != "contact@repair.example.org" || org["url"] != "https://repair.example.org" ||
		org["telephone"] != "+33 4 78 00 00 01" {
		t.Errorf("organisation %v", org)
	}
	g, _ := org["geo"].(map[string]any)
	if g["@type"] != "GeoCoordinates" || g["latitude"] != 45.776512 || g["longitude"] != 4.831934 {
		t.Errorf("geo %v", org["geo"])
	}
	addr, _ := org["address"].(map[string]any)
	if addr["@type"] != "PostalAddress" || addr["streetAddress"] != "12 rue d'Austerlitz, 69004 Lyon" {
		t.Errorf("address %v", org["address"])
	}
	specs, _ := org["openingHoursSpecification"].([]any)
	if len(specs) != 3 {
		t.Fatalf("opening hours %v", org["openingHoursSpecification"])
	}
	first := specs[0].(map[string]any)
	days := first["dayOfWeek"].([]any)
	if first["@type"] != "OpeningHoursSpecification" || first["opens"] != "09:00" || first["closes"] != "12:00" || len(days) != 5 || days[0] != "https://schema.org/Monday" {
		t.Errorf("first spec %v", first)
	}
	if !reflect.DeepEqual(org["keywords"], []any{"waste_repair", "skills_services", "réparation", "vélo"}) {
		t.Errorf("keywords %v", org["keywords"])
	}
	commons := doc.Graph[1]
	if commons["@type"] != "Place" || commons["email"] != nil || commons["geo"] == nil {
		t.Errorf("commons %v", commons)
	}
	if strings.Contains(b.String(), "99") {
		t.Error("the author's id leaked")
	}
}

func TestWriteStopsOnError(t *testing.T) {
	boom := errors.New("boom")
	each := func(yield func(*directory.Initiative) error) error { return boom }
	for _, f := range []Format{FormatCSV, FormatGeoJSON, FormatJSONLD} {
		if err := Write(&bytes.Buffer{}, f, testTerritory, each, WriteOptions{}); !errors.Is(err, boom) {
			t.Errorf("%s: err = %v", f, err)
		}
	}
}

func TestFormats(t *testing.T) {
	for name, want := range map[string]Format{"a.csv": FormatCSV, "B.TSV": FormatCSV, "x.geojson": FormatGeoJSON, "x.json": FormatGeoJSON, "x.jsonld": FormatJSONLD} {
		if got, err := FormatOf(name); err != nil || got != want {
			t.Errorf("FormatOf(%s) = %s, %v", name, got, err)
		}
	}
	if _, err := FormatOf("x.xlsx"); err == nil {
		t.Error("xlsx accepted")
	}
	if f, err := ParseFormat("JSON-LD"); err != nil || f != FormatJSONLD {
		t.Errorf("ParseFormat = %s, %v", f, err)
	}
	if _, _, err := Read(strings.NewReader("{}"), FormatJSONLD, ReadOptions{}); err == nil {
		t.Error("JSON-LD read")
	}
}

func TestImportItems(t *testing.T) {
	items := []Item{{Row: 1, SourceKey: "a"}, {Row: 3, SourceKey: "c"}}
	rowErrs := []errs.FieldError{{Row: 3, Field: "lat", Key: "err.coordinates_format"}, {Row: 2, Field: "row", Key: "err.csv_format"}, {Row: 3, Field: "lon", Key: "err.coordinates_format"}}
	got := ImportItems(items, rowErrs)
	if len(got) != 3 || got[0].Row != 1 || got[0].Errors != nil || got[1].Row != 2 || len(got[1].Errors) != 1 || got[2].SourceKey != "c" || len(got[2].Errors) != 2 {
		t.Errorf("%+v", got)
	}
}
