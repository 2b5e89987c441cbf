package interchange

import (
	"bytes"
	"encoding/csv"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"golang.org/x/text/encoding/charmap"
)

var today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func readCarpoolFile(t *testing.T) ([]directory.CarpoolImportItem, []errs.FieldError) {
	t.Helper()
	f, err := os.Open("testdata/lieux_covoiturage.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, rowErrs, err := ReadLieuxCovoiturage(f, CarpoolReadOptions{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	return items, rowErrs
}

func TestReadLieuxCovoiturage(t *testing.T) {
	items, rowErrs := readCarpoolFile(t)
	if len(items) != 6 {
		t.Fatalf("%d items, want 6", len(items))
	}
	gc := items[0]
	in, a := gc.Initiative, gc.Area
	if in.Name != "Gratte-Ciel" || in.Address != "Avenue Henri Barbusse" || in.Position.Lat != 45.768912 || in.Position.Lon != 4.880421 ||
		in.Categories[0] != "mobility" || in.Tags[0] != directory.CarpoolAreaTag || in.Kind != directory.KindPublicService ||
		in.Summary != "Parking relais" || in.Description != "Arrêt de métro A à 200 m" || len(in.OpeningHours) != 6 {
		t.Fatalf("initiative = %+v", in)
	}
	if a.NationalID != "69266-C-001" || a.LocalID != "VLB-01" || a.INSEE != "69266" || a.Commune != "Villeurbanne" || a.Type != "Parking relais" ||
		a.UpdatedOn != "2025-09-12" || !a.Open || a.SourceSIREN != "246900245" || *a.Places != 120 || *a.PMRPlaces != 4 ||
		a.MaxStayMinutes != nil || a.Hours != "Mo-Sa 06:00-21:00" || a.Owner != "Métropole de Lyon" || !*a.Lighting {
		t.Fatalf("area = %+v", a)
	}
	if gc.SourceKey != "lieux-covoiturage:69266-C-001" || len(gc.Errors) != 0 {
		t.Fatalf("source key %q, errors %v", gc.SourceKey, gc.Errors)
	}
	// "24/7" is no weekly slot: kept as written, no opening hours.
	if items[1].Area.Hours != "24/7" || items[1].Area.Lighting == nil || *items[1].Area.Lighting {
		t.Fatalf("porte des alpes = %+v", items[1].Area)
	}
	// Type matched without regard to case; duree read.
	if items[2].Area.Type != "Parking" || *items[2].Area.MaxStayMinutes != 120 || items[2].Area.Places == nil {
		t.Fatalf("part-dieu = %+v", items[2].Area)
	}
	if items[3].Area.Open || items[3].Area.Type != "Auto-stop" {
		t.Fatalf("perrache = %+v", items[3].Area)
	}
	// The last row is wrong four ways, each reported on row 6 with its column.
	want := map[string]string{"date_maj": "err.carpool_date", "ouvert": "err.carpool_bool", "nbre_pl": "err.carpool_count_value"}
	got := map[string]string{}
	for _, e := range rowErrs {
		if e.Row != 6 {
			t.Errorf("error on row %d: %+v", e.Row, e)
		}
		got[e.Field] = e.Key
	}
	for f, k := range want {
		if got[f] != k {
			t.Errorf("row 6 %s: got %q, want %q (all: %+v)", f, got[f], k, rowErrs)
		}
	}
	if len(items[5].Errors) != len(rowErrs) {
		t.Fatalf("item errors %v, file errors %v", items[5].Errors, rowErrs)
	}
}

func TestReadLieuxCovoiturageVariants(t *testing.T) {
	// Semicolons, Windows-1252, columns in another order and case, no
	// insee nor date_maj.
	src := "NOM_LIEU;Ylat;Xlong;ID_LIEU;TYPE\r\nAire de la Gare;45,7500;4,8500;69123-C-010;Aire de covoiturage\r\n;;;;\r\n"
	enc, err := charmap.Windows1252.NewEncoder().String(strings.Replace(src, "Gare", "Gare é", 1))
	if err != nil {
		t.Fatal(err)
	}
	items, rowErrs, err := ReadLieuxCovoiturage(strings.NewReader(enc), CarpoolReadOptions{Today: today})
	if err != nil || len(rowErrs) != 0 || len(items) != 1 {
		t.Fatalf("items %+v, errors %v, %v", items, rowErrs, err)
	}
	it := items[0]
	if it.Initiative.Name != "Aire de la Gare é" || it.Initiative.Position.Lat != 45.75 || it.Area.INSEE != "69123" || it.Area.UpdatedOn != "2026-11-25" || !it.Area.Open {
		t.Fatalf("item = %+v", it)
	}
	if err := it.Area.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}

	cases := map[string]string{
		"no position columns": "id_lieu,nom_lieu\n69123-C-001,X\n",
		"empty":               "\n",
	}
	for name, src := range cases {
		if _, _, err := ReadLieuxCovoiturage(strings.NewReader(src), CarpoolReadOptions{}); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// schemaPatterns are the schema's constraints on written values.
var schemaPatterns = map[string]*regexp.Regexp{
	"id_lieu":  regexp.MustCompile(`^([013-9]\d|2[AB1-9])\d{3}-C-\d{3}$`),
	"insee":    regexp.MustCompile(`^([013-9]\d|2[AB1-9])\d{3}$`),
	"date_maj": regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`),
	"ouvert":   regexp.MustCompile(`^(true|false)$`),
	"source":   regexp.MustCompile(`^(\d{9})?$`),
	"Xlong":    regexp.MustCompile(`^-?\d{1,3}\.\d{4,}$`),
	"Ylat":     regexp.MustCompile(`^-?\d{1,2}\.\d{4,}$`),
	"nbre_pl":  regexp.MustCompile(`^\d*$`),
	"nbre_pmr": regexp.MustCompile(`^\d*$`),
	"duree":    regexp.MustCompile(`^\d*$`),
	"lumiere":  regexp.MustCompile(`^(true|false)?$`),
}

func TestWriteLieuxCovoiturage(t *testing.T) {
	items, _ := readCarpoolFile(t)
	var hits []*directory.CarpoolAreaHit
	for i, it := range items {
		in := it.Initiative
		in.ID, in.Status = int64(i+1), directory.StatusPublished
		hits = append(hits, &directory.CarpoolAreaHit{Initiative: &in, Area: it.Area})
	}
	var buf bytes.Buffer
	each := func(yield func(*directory.CarpoolAreaHit) error) error {
		for _, h := range hits {
			if err := yield(h); err != nil {
				return err
			}
		}
		return nil
	}
	if err := WriteLieuxCovoiturage(&buf, each); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != strings.Join(LieuxCovoiturageHeader, ",") {
		t.Fatalf("header %v", recs[0])
	}
	// The invalid last row is left out; the others are valid.
	if len(recs) != 1+5 {
		t.Fatalf("%d rows:\n%s", len(recs)-1, buf.String())
	}
	types := map[string]bool{}
	for _, ty := range directory.CarpoolAreaTypes {
		types[ty] = true
	}
	for _, rec := range recs[1:] {
		for i, name := range LieuxCovoiturageHeader {
			if re := schemaPatterns[name]; re != nil && !re.MatchString(rec[i]) {
				t.Errorf("%s = %q breaks the schema", name, rec[i])
			}
		}
		if !types[rec[6]] || rec[2] == "" {
			t.Errorf("type %q, name %q", rec[6], rec[2])
		}
		if lon, _ := strconv.ParseFloat(rec[10], 64); lon < -180 || lon > 180 {
			t.Errorf("Xlong %q", rec[10])
		}
	}
	// Reading the export back gives the same areas.
	back, rowErrs, err := ReadLieuxCovoiturage(bytes.NewReader(buf.Bytes()), CarpoolReadOptions{Today: today})
	if err != nil || len(rowErrs) != 0 || len(back) != 5 {
		t.Fatalf("read back: %d items, %v, %v", len(back), rowErrs, err)
	}
	for i := range back {
		a, b := items[i].Area, back[i].Area
		if a.NationalID != b.NationalID || a.Type != b.Type || a.Hours != b.Hours || a.Owner != b.Owner || a.Open != b.Open ||
			optInt(a.Places) != optInt(b.Places) || (a.Lighting == nil) != (b.Lighting == nil) ||
			items[i].Initiative.Name != back[i].Initiative.Name || items[i].Initiative.Position != back[i].Initiative.Position {
			t.Errorf("row %d: %+v then %+v", i+1, a, b)
		}
	}
}
