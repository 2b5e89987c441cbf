package interchange

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func readCSV(t *testing.T, data string, opts CSVOptions) ([]Item, []errs.FieldError) {
	t.Helper()
	items, rowErrs, err := ReadCSV(strings.NewReader(data), opts)
	if err != nil {
		t.Fatalf("ReadCSV: %v", err)
	}
	return items, rowErrs
}

func TestReadCSVSynonyms(t *testing.T) {
	tests := []struct {
		name   string
		header string
		row    string
		check  func(directory.Initiative) any
		want   any
	}{
		{"nom", "Nom,lat,lon", "Atelier,45.7,4.8", func(in directory.Initiative) any { return in.Name }, "Atelier"},
		{"title", "TITLE,lat,lon", "Atelier,45.7,4.8", func(in directory.Initiative) any { return in.Name }, "Atelier"},
		{"titre accent case", "Titre,Latitude,Longitude", "Atelier,45.7,4.8", func(in directory.Initiative) any { return in.Name }, "Atelier"},
		{"résumé", "nom,Résumé,lat,lon", "A,Court,45.7,4.8", func(in directory.Initiative) any { return in.Summary }, "Court"},
		{"description courte", "nom,DESCRIPTION COURTE,description,lat,lon", "A,Court,Long,45.7,4.8", func(in directory.Initiative) any { return in.Summary + "/" + in.Description }, "Court/Long"},
		{"catégorie(s)", "nom,Catégorie(s),lat,lon", "A,Alimentation,45.7,4.8", func(in directory.Initiative) any { return in.Categories }, []string{"food"}},
		{"type is category", "nom,type,lat,lon", "A,Mobilité,45.7,4.8", func(in directory.Initiative) any { return in.Categories }, []string{"mobility"}},
		{"mots-clés", "nom,Mots-clés,lat,lon", "A,vélo;atelier,45.7,4.8", func(in directory.Initiative) any { return in.Tags }, []string{"vélo", "atelier"}},
		{"statut juridique", "nom,Statut juridique,lat,lon", "A,Entreprise,45.7,4.8", func(in directory.Initiative) any { return in.Kind }, directory.KindCompany},
		{"type de structure", "nom,type de structure,lat,lon", "A,Collectif,45.7,4.8", func(in directory.Initiative) any { return in.Kind }, directory.KindCollective},
		{"forme", "nom,forme,lat,lon", "A,Commun,45.7,4.8", func(in directory.Initiative) any { return in.Kind }, directory.KindCommons},
		{"adresse complète", "nom,Adresse complète,lat,lon", "A,1 rue X,45.7,4.8", func(in directory.Initiative) any { return in.Address }, "1 rue X"},
		{"y x", "nom,x,y", "A,4.8,45.7", func(in directory.Initiative) any { return in.Position }, geo.Point{Lat: 45.7, Lon: 4.8}},
		{"lng", "nom,lat,lng", "A,45.7,4.8", func(in directory.Initiative) any { return in.Position }, geo.Point{Lat: 45.7, Lon: 4.8}},
		{"long", "nom,latitude,long", "A,45.7,4.8", func(in directory.Initiative) any { return in.Position }, geo.Point{Lat: 45.7, Lon: 4.8}},
		{"horaires", "nom,lat,lon,Horaires", "A,45.7,4.8,Sa 10:00-12:00", func(in directory.Initiative) any { return in.OpeningHours }, []directory.OpeningHours{{Day: 6, Opens: "10:00", Close: "12:00"}}},
		{"opening_hours", "nom,lat,lon,opening_hours", "A,45.7,4.8,Su 10:00-12:00", func(in directory.Initiative) any { return len(in.OpeningHours) }, 1},
		{"site web", "nom,lat,lon,Site Web", "A,45.7,4.8,https://a.example", func(in directory.Initiative) any { return in.Website }, "https://a.example"},
		{"website beats url", "nom,lat,lon,url,website", "A,45.7,4.8,https://u.example,https://w.example", func(in directory.Initiative) any { return in.Website }, "https://w.example"},
		{"courriel", "nom,lat,lon,Courriel", "A,45.7,4.8,a@b.example", func(in directory.Initiative) any { return in.Email }, "a@b.example"},
		{"e-mail mailto", "nom,lat,lon,E-mail", "A,45.7,4.8,mailto:a@b.example", func(in directory.Initiative) any { return in.Email }, "a@b.example"},
		{"téléphone", "nom,lat,lon,Téléphone", "A,45.7,4.8,04 00 00 00 00", func(in directory.Initiative) any { return in.Phone }, "04 00 00 00 00"},
		{"tel", "nom,lat,lon,tel", "A,45.7,4.8,+33 4 00", func(in directory.Initiative) any { return in.Phone }, "+33 4 00"},
		{"identifiant", "Identifiant,nom,lat,lon", "X-1,A,45.7,4.8", nil, "X-1"},
		{"source_id", "source_id,nom,lat,lon", "X-2,A,45.7,4.8", nil, "X-2"},
		{"ref", "nom,lat,lon,REF", "A,45.7,4.8,X-3", nil, "X-3"},
		{"commons", "nom,lat,lon,Ressource,Communauté,Gouvernance", "A,45.7,4.8,un jardin,voisins,assemblée", func(in directory.Initiative) any { return in.Commons }, directory.Commons{Resource: "un jardin", Community: "voisins", Governance: "assemblée"}},
		{"geo_point_2d", "nom,geo_point_2d", `A,"45.76, 4.83"`, func(in directory.Initiative) any { return in.Position }, geo.Point{Lat: 45.76, Lon: 4.83}},
		{"coordonnées decimal comma", "nom;coordonnées", `A;45,76, 4,83`, func(in directory.Initiative) any { return in.Position }, geo.Point{Lat: 45.76, Lon: 4.83}},
		{"geo WKT", "nom;geo", `A;POINT (4.83 45.76)`, func(in directory.Initiative) any { return in.Position }, geo.Point{Lat: 45.76, Lon: 4.83}},
		{"website without scheme", "nom,lat,lon,site", "A,45.7,4.8,www.a.example", func(in directory.Initiative) any { return in.Website }, "https://www.a.example"},
		{"unknown columns ignored", "nom,lat,lon,remarques", "A,45.7,4.8,rien", func(in directory.Initiative) any { return in.Name }, "A"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, rowErrs := readCSV(t, tc.header+"\n"+tc.row+"\n", CSVOptions{})
			if len(rowErrs) > 0 || len(items) != 1 {
				t.Fatalf("items %d, errors %+v", len(items), rowErrs)
			}
			var got any = items[0].SourceKey
			if tc.check != nil {
				got = tc.check(items[0].Initiative)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestReadCSVCategoriesAndKinds(t *testing.T) {
	tests := []struct {
		cell string
		want []string
	}{
		{"Alimentation", []string{"food"}},
		{"Réparation", []string{"waste_repair"}},
		{"Déchets et réparation", []string{"waste_repair"}},
		{"waste_repair", []string{"waste_repair"}},
		{"Goods & Tools", []string{"goods_tools"}},
		{"biens et outils", []string{"goods_tools"}},
		{`"Mobilité; Énergie"`, []string{"mobility", "energy"}},
		{"Logement|Espaces partagés|Communs", []string{"housing", "spaces", "commons"}},
		{"Monnaie locale, Savoirs et culture", []string{"money_finance", "knowledge_culture"}},
		{"Compétences et services", []string{"skills_services"}},
		{"Jardinage", []string{"Jardinage"}}, // kept for the service to name
	}
	for _, tc := range tests {
		t.Run(tc.cell, func(t *testing.T) {
			items, _ := readCSV(t, "nom;catégories;lat;lon\nA;"+tc.cell+";45.7;4.8\n", CSVOptions{})
			if !reflect.DeepEqual(items[0].Initiative.Categories, tc.want) {
				t.Errorf("got %q, want %q", items[0].Initiative.Categories, tc.want)
			}
		})
	}
	kinds := map[string]directory.Kind{
		"Association": directory.KindAssociation, "association loi 1901": directory.KindAssociation,
		"Entreprise": directory.KindCompany, "SCOP": directory.KindCompany, "company": directory.KindCompany,
		"Service public": directory.KindPublicService, "Collectivité": directory.KindPublicService,
		"Collectif": directory.KindCollective, "Commun": directory.KindCommons, "commons": directory.KindCommons,
		"Fondation": directory.Kind("Fondation"),
	}
	for cell, want := range kinds {
		t.Run("kind "+cell, func(t *testing.T) {
			items, _ := readCSV(t, "nom;forme juridique;lat;lon\nA;"+cell+";45.7;4.8\n", CSVOptions{})
			if items[0].Initiative.Kind != want {
				t.Errorf("got %q, want %q", items[0].Initiative.Kind, want)
			}
		})
	}
}

func TestReadCSVDelimitersAndEncodings(t *testing.T) {
	want := directory.Initiative{Name: "Réparation Café", Categories: []string{"waste_repair"}, Position: geo.Point{Lat: 45.76, Lon: 4.83}}
	cp := func(s string) string {
		b, err := charmap.Windows1252.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	utf16 := func(s string) string {
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct{ name, data string }{
		{"UTF-16 Excel unicode text", utf16("nom\tcatégorie\tlat\tlon\r\nRéparation Café\tRéparation\t45,76\t4,83\r\n")},
		{"Excel sep= line", "sep=;\nnom;catégorie;lat;lon\nRéparation Café;Réparation;45,76;4,83\n"},
		{"comma", "nom,catégorie,lat,lon\nRéparation Café,Réparation,45.76,4.83\n"},
		{"semicolon decimal comma", "nom;catégorie;lat;lon\nRéparation Café;Réparation;45,76;4,83\n"},
		{"tab", "nom\tcatégorie\tlat\tlon\nRéparation Café\tRéparation\t45.76\t4.83\n"},
		{"comma quoted decimal comma", "nom,catégorie,lat,lon\nRéparation Café,Réparation,\"45,76\",\"4,83\"\n"},
		{"header with comma and semicolons", "nom;catégorie;lat, WGS84;lon\nRéparation Café;Réparation;45,76;4,83\n"},
		{"BOM", "\ufeffnom;catégorie;lat;lon\r\nRéparation Café;Réparation;45,76;4,83\r\n"},
		{"Windows-1252", cp("nom;catégorie;lat;lon\r\nRéparation Café;Réparation;45,76;4,83\r\n")},
		{"Windows-1252 no accent in header", cp("nom;categorie;lat;lon\r\nRéparation Café;Réparation;45,76;4,83\r\n")},
		{"title line above header", "Export du 12/03/2025\n\nnom;catégorie;lat;lon\nRéparation Café;Réparation;45,76;4,83\n"},
		{"CR only inside quotes", "nom,catégorie,lat,lon\n\"Réparation Café\",\"Réparation\",45.76,4.83\n"},
		{"no final newline", "nom,catégorie,lat,lon\nRéparation Café,Réparation,45.76,4.83"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, rowErrs := readCSV(t, tc.data, CSVOptions{})
			if len(rowErrs) > 0 || len(items) != 1 {
				t.Fatalf("items %d, errors %+v", len(items), rowErrs)
			}
			got := items[0].Initiative
			if got.Name != want.Name || !reflect.DeepEqual(got.Categories, want.Categories) || got.Position != want.Position {
				t.Errorf("got %q %q %v", got.Name, got.Categories, got.Position)
			}
		})
	}
}

func TestReadCSVLateWindows1252(t *testing.T) {
	// The first 256 KiB are ASCII; the accent comes after: decided per field.
	var b bytes.Buffer
	b.WriteString("nom;lat;lon\n")
	for b.Len() < 300<<10 {
		b.WriteString("Atelier;45.7;4.8\n")
	}
	b.WriteString("R\xe9paration;45.7;4.8\n")
	items, _, err := ReadCSV(&b, CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := items[len(items)-1].Initiative.Name; got != "Réparation" {
		t.Errorf("last name %q", got)
	}
}

func TestReadCSVExplicitMap(t *testing.T) {
	data := "Raison;Quartier;Y_WGS84;X_WGS84;Nom\nAtelier;Croix-Rousse;45,7;4,8;ignored\n"
	items, rowErrs := readCSV(t, data, CSVOptions{Map: map[string]string{"name": "Raison", "lat": "Y_WGS84", "longitude": "x_wgs84", "address": "Quartier"}})
	if len(rowErrs) > 0 {
		t.Fatal(rowErrs)
	}
	in := items[0].Initiative
	if in.Name != "Atelier" || in.Address != "Croix-Rousse" || in.Position != (geo.Point{Lat: 45.7, Lon: 4.8}) {
		t.Errorf("got %+v", in)
	}

	_, _, err := ReadCSV(strings.NewReader(data), CSVOptions{Map: map[string]string{"name": "Absent", "colour": "Nom"}})
	e, ok := errs.As(err)
	if !ok || e.Kind != errs.Invalid || len(e.Fields) != 3 {
		t.Fatalf("err = %v", err)
	}
	if e.Fields[0].Key != "err.import_field_unknown" || e.Fields[1].Key != "err.import_column_unknown" || e.Fields[2].Field != "position" {
		t.Errorf("fields %+v", e.Fields)
	}
}

func TestReadCSVDefaults(t *testing.T) {
	items, _ := readCSV(t, "nom;lat;lon;catégorie\nA;45.7;4.8;\nB;45.7;4.8;Énergie\n", CSVOptions{DefaultKind: directory.KindAssociation, DefaultCategories: []string{"waste_repair"}})
	if items[0].Initiative.Kind != directory.KindAssociation || items[0].Initiative.Categories[0] != "waste_repair" || items[1].Initiative.Categories[0] != "energy" {
		t.Errorf("got %+v / %+v", items[0].Initiative, items[1].Initiative)
	}
}

func TestReadCSVRowErrors(t *testing.T) {
	data := strings.Join([]string{
		"nom;lat;lon;horaires;geo",
		"Bon;45,7;4,8;;",                    // 1
		"Latitude texte;abc;4,8;;",          // 2
		";;;;",                              // 3: empty, skipped but counted
		"Lambert;6519870;842150;;",          // 4
		"Horaires;45,7;4,8;Mo 25:00-26:00;", // 5
		"Nuit;45,7;4,8;Fr 22:00-02:00;",     // 6
		"Deux erreurs;x;y;;",                // 7
		"Geo seul;;;;pas une position",      // 8
	}, "\n")
	items, rowErrs := readCSV(t, data, CSVOptions{})
	if len(items) != 7 {
		t.Errorf("items = %d, want 7 (the empty row is skipped)", len(items))
	}
	type rf struct {
		row        int
		field, key string
	}
	var got []rf
	for _, e := range rowErrs {
		got = append(got, rf{e.Row, e.Field, e.Key})
	}
	want := []rf{
		{2, "lat", "err.coordinates_format"},
		{4, "lat", "err.coordinates_range"},
		{5, "opening_hours", "err.opening_hours"},
		{6, "opening_hours", "err.opening_hours"},
		{7, "lat", "err.coordinates_format"},
		{7, "lon", "err.coordinates_format"},
		{8, "geo", "err.coordinates_format"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("row errors\n got %v\nwant %v", got, want)
	}
	if rowErrs[0].Args["Column"] != "lat" || rowErrs[0].Args["Value"] != "abc" {
		t.Errorf("args %v", rowErrs[0].Args)
	}
}

func TestReadCSVFileErrors(t *testing.T) {
	tests := []struct{ name, data, key string }{
		{"empty", "", "err.import_empty"},
		{"blank", "\n\n  \n", "err.import_empty"},
		{"header only", "nom,lat,lon\n", "err.import_empty"},
		{"no name column", "adresse,lat,lon\nX,45,4\n", "err.import_columns"},
		{"no position column", "nom,adresse\nX,Y\n", "err.import_columns"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadCSV(strings.NewReader(tc.data), CSVOptions{})
			if e, ok := errs.As(err); !ok || e.Key != tc.key || e.Kind != errs.Invalid {
				t.Errorf("err = %v, want %s", err, tc.key)
			}
		})
	}
}

func TestReadCSVLimits(t *testing.T) {
	t.Run("rows", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("nom,lat,lon\n")
		for i := 0; i <= MaxRows; i++ {
			b.WriteString("A,45,4\n")
		}
		_, _, err := ReadCSV(strings.NewReader(b.String()), CSVOptions{})
		if e, ok := errs.As(err); !ok || e.Key != "err.import_too_many_rows" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("field", func(t *testing.T) {
		data := "nom,description,lat,lon\nA," + strings.Repeat("x", MaxFieldBytes+1) + ",45,4\n"
		items, rowErrs := readCSV(t, data, CSVOptions{})
		if len(rowErrs) != 1 || rowErrs[0].Field != "description" || rowErrs[0].Key != "err.too_long" || items[0].Initiative.Description != "" {
			t.Errorf("errors %+v", rowErrs)
		}
	})
	t.Run("record", func(t *testing.T) {
		// An unterminated quote swallows the rest of the file.
		data := "nom,lat,lon\n\"A" + strings.Repeat("x\n", maxRecordBytes/2+peekSize)
		_, _, err := ReadCSV(strings.NewReader(data), CSVOptions{})
		if e, ok := errs.As(err); !ok || e.Key != "err.import_record_too_large" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("errors", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("nom,lat,lon\n")
		for i := 0; i < MaxRowErrors+10; i++ {
			b.WriteString("A,x,4\n")
		}
		_, rowErrs, err := ReadCSV(strings.NewReader(b.String()), CSVOptions{})
		if e, ok := errs.As(err); !ok || e.Key != "err.import_too_many_errors" || len(rowErrs) != MaxRowErrors {
			t.Errorf("err = %v, %d row errors", err, len(rowErrs))
		}
	})
}

func TestReadCSVSamples(t *testing.T) {
	tests := []struct {
		file     string
		items    int
		rowErrs  []string // "row:field:key"
		firstKey string
		check    func(t *testing.T, items []Item)
	}{
		{"lyon_initiatives_cp1252.csv", 6, []string{"4:lat:err.coordinates_format", "5:lat:err.coordinates_range", "7:opening_hours:err.opening_hours"}, "REP-001",
			func(t *testing.T, items []Item) {
				in := items[1].Initiative
				if in.Name != "Grainothèque de la bibliothèque du 7e" || in.Address != "246 avenue Jean Jaurès; 69007 Lyon" ||
					!reflect.DeepEqual(in.Categories, []string{"food", "knowledge_culture"}) || in.Kind != directory.KindPublicService ||
					len(in.OpeningHours) != 11 || in.Summary != `Échange de graines "libres"` {
					t.Errorf("row 2: %+v", in)
				}
				if items[3].Initiative.Summary != "Un jardin ouvert à tous. Réunion le 1er jeudi du mois" {
					t.Errorf("multi-line cell: %q", items[3].Initiative.Summary)
				}
			}},
		{"ods_export_bom.csv", 3, nil, "a1b2",
			func(t *testing.T, items []Item) {
				if in := items[2].Initiative; in.Position != (geo.Point{Lat: 45.7719, Lon: 4.88}) || !reflect.DeepEqual(in.Tags, []string{"impression 3D", "découpe laser"}) || len(in.OpeningHours) != 5 {
					t.Errorf("row 3: %+v", in)
				}
			}},
		{"english.tsv", 2, nil, "",
			func(t *testing.T, items []Item) {
				if c := items[1].Initiative.Commons; c.Governance != "monthly open assembly" {
					t.Errorf("commons %+v", c)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			items, rowErrs, err := ReadCSV(f, CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != tc.items || items[0].SourceKey != tc.firstKey {
				t.Errorf("%d items, first key %q", len(items), items[0].SourceKey)
			}
			var got []string
			for _, e := range rowErrs {
				got = append(got, fmt.Sprintf("%d:%s:%s", e.Row, e.Field, e.Key))
			}
			if !reflect.DeepEqual(got, tc.rowErrs) {
				t.Errorf("row errors %v, want %v", got, tc.rowErrs)
			}
			tc.check(t, items)
		})
	}
}
