package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

const interchangeData = "../../internal/interchange/testdata/"

// importExportFlow imports the sample files of internal/interchange and
// exports them back, through the documented command lines.
func importExportFlow(t *testing.T, db string) {
	t.Helper()
	env := map[string]string{"SHARINGCITY_DATABASE_URL": db}
	if code, _, errOut := cli(t, "", env, "admin", "territory", "create", "--slug", "lyon", "--name", "Lyon", "--bbox", "4.70,45.70,4.95,45.85"); code != 0 {
		t.Fatalf("territory create: %d %s", code, errOut)
	}

	code, out, errOut := cli(t, "", env, "import", "--territory", "lyon", interchangeData+"ods_export_bom.csv")
	if code != 0 || !strings.Contains(out, "lyon: 3 created, 0 updated, 0 unchanged, 0 skipped") {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	// The same file again creates nothing.
	if code, out, errOut := cli(t, "", env, "import", "--territory", "lyon", interchangeData+"ods_export_bom.csv"); code != 0 || !strings.Contains(out, "0 created, 0 updated, 3 unchanged") {
		t.Fatalf("re-import: %d %q %q", code, out, errOut)
	}

	// A messy file with bad rows: nothing is written without --skip-invalid.
	messy := interchangeData + "lyon_initiatives_cp1252.csv"
	code, out, errOut = cli(t, "", env, "import", "--territory", "lyon", messy)
	if code != 1 || out != "" || !strings.Contains(errOut, "nothing was written") || !strings.Contains(errOut, "4") {
		t.Fatalf("messy import: %d %q %q", code, out, errOut)
	}
	code, out, errOut = cli(t, "", env, "import", "--territory", "lyon", messy, "--skip-invalid")
	if code != 0 || !strings.Contains(out, "lyon: 3 created, 0 updated, 0 unchanged, 3 skipped") {
		t.Fatalf("import --skip-invalid: %d %q %q", code, out, errOut)
	}

	// GeoJSON from standard input, with an explicit mapping and a default kind.
	geo := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"Libellé":"Boîte à dons","cat":"Biens et outils"},"geometry":{"type":"Point","coordinates":[4.85,45.76]}}]}`
	code, out, errOut = cli(t, geo, env, "import", "--territory", "lyon", "--format", "geojson", "--map", "name=Libellé", "--map", "categories=cat", "--kind", "collective", "-")
	if code != 0 || !strings.Contains(out, "1 created") {
		t.Fatalf("geojson import: %d %q %q", code, out, errOut)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "lyon.geojson")
	if code, _, errOut := cli(t, "", env, "export", "--territory", "lyon", "-o", file, "--base-url", "https://partage.example.org"); code != 0 {
		t.Fatalf("export: %d %q", code, errOut)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil || len(fc.Features) != 7 {
		t.Fatalf("export: %v, %d features\n%s", err, len(fc.Features), data)
	}
	if u, _ := fc.Features[0].Properties["url"].(string); !strings.HasPrefix(u, "https://partage.example.org/t/lyon/initiatives/") {
		t.Errorf("url %q", u)
	}
	// An export imports cleanly (into another territory, say), and twice
	// creates nothing more.
	if code, _, errOut := cli(t, "", env, "admin", "territory", "create", "--slug", "copy", "--name", "Copy", "--bbox", "4.70,45.70,4.95,45.85"); code != 0 {
		t.Fatalf("territory create: %d %s", code, errOut)
	}
	if code, out, errOut := cli(t, "", env, "import", "--territory", "copy", file); code != 0 || !strings.Contains(out, "copy: 7 created") {
		t.Fatalf("import of the export: %d %q %q", code, out, errOut)
	}
	if code, out, errOut := cli(t, "", env, "import", "--territory", "copy", file); code != 0 || !strings.Contains(out, "copy: 0 created, 0 updated, 7 unchanged") {
		t.Fatalf("second import of the export: %d %q %q", code, out, errOut)
	}

	code, out, _ = cli(t, "", env, "export", "--territory", "lyon", "--format", "csv")
	if code != 0 || !strings.HasPrefix(out, "id,name,summary") || strings.Count(out, "\n") != 8 {
		t.Fatalf("csv export: %d %q", code, out)
	}
	code, out, _ = cli(t, "", env, "export", "--territory", "lyon", "--format", "jsonld")
	var doc struct {
		Graph []map[string]any `json:"@graph"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Graph) != 7 {
		t.Fatalf("json-ld export: %d %q", code, out)
	}

	for _, bad := range [][]string{
		{"import", "--territory", "lyon"},
		{"import", "--territory", "lyon", filepath.Join(dir, "x.jsonld")},
		{"import", "--territory", "lyon", "--map", "name", interchangeData + "english.tsv"},
		{"import", "--territory", "lyon", "-"},
		{"export", "--territory", "lyon"},
	} {
		if code, _, errOut := cli(t, "", env, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", bad, code, errOut)
		}
	}
	if code, _, errOut := cli(t, "", env, "import", "--territory", "nowhere", interchangeData+"english.tsv"); code != 1 {
		t.Errorf("unknown territory: %d %q", code, errOut)
	}
	if code, _, errOut := cli(t, "", env, "import", "--territory", "lyon", filepath.Join(dir, "absent.csv")); code != 1 {
		t.Errorf("absent file: %d %q", code, errOut)
	}
}

func TestImportExportSQLite(t *testing.T) {
	importExportFlow(t, storetest.SQLitePath(t))
}

func TestImportExportPostgres(t *testing.T) {
	importExportFlow(t, storetest.PostgresURL(t))
}
