package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/interchange"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// carpoolAreasFlow imports the sample carpool-areas file into Lyon and
// exports it back, through the documented command lines.
func carpoolAreasFlow(t *testing.T, db string) {
	t.Helper()
	env := map[string]string{"SHARINGCITY_DATABASE_URL": db}
	if code, _, errOut := cli(t, "", env, "admin", "territory", "create", "--slug", "lyon", "--name", "Lyon", "--bbox", "4.77,45.70,4.95,45.81"); code != 0 {
		t.Fatalf("territory create: %d %s", code, errOut)
	}
	file := interchangeData + "lieux_covoiturage.csv"
	code, out, errOut := cli(t, "", env, "import", "--territory", "lyon", "--format", "lieux-covoiturage", file)
	if code != 1 || out != "" || !strings.Contains(errOut, "nothing was written") || !strings.Contains(errOut, "2025-13-01") || !strings.Contains(errOut, "69123-C-0X9") {
		t.Fatalf("import with a bad row: %d %q %q", code, out, errOut)
	}
	code, out, errOut = cli(t, "", env, "import", "--territory", "lyon", "--format", "lieux-covoiturage", file, "--skip-invalid")
	if code != 0 || !strings.Contains(out, "lyon: 4 created, 0 updated, 0 unchanged, 1 skipped, 1 outside the territory") {
		t.Fatalf("import --skip-invalid: %d %q %q", code, out, errOut)
	}
	out2 := filepath.Join(t.TempDir(), "aires.csv")
	if code, _, errOut := cli(t, "", env, "export", "--territory", "lyon", "--format", "lieux-covoiturage", "-o", out2); code != 0 {
		t.Fatalf("export: %d %q", code, errOut)
	}
	f, err := os.Open(out2)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) != 5 || strings.Join(recs[0], ",") != strings.Join(interchange.LieuxCovoiturageHeader, ",") {
		t.Fatalf("export: %v %v", recs, err)
	}
	if recs[1][0] != "69266-C-001" || recs[1][2] != "Gratte-Ciel" || recs[1][12] != "120" || recs[1][17] != "true" || recs[1][15] != "Mo-Sa 06:00-21:00" {
		t.Fatalf("first row: %v", recs[1])
	}
	// Re-importing the export changes nothing.
	code, out, errOut = cli(t, "", env, "import", "--territory", "lyon", "--format", "lieux-covoiturage", out2)
	if code != 0 || !strings.Contains(out, "0 created, 0 updated, 4 unchanged, 0 skipped, 0 outside") {
		t.Fatalf("re-import: %d %q %q", code, out, errOut)
	}
	if code, out, _ := cli(t, "", env, "export", "--territory", "lyon", "--format", "lieux-covoiturage"); code != 0 || !strings.HasPrefix(out, "id_lieu,id_local,nom_lieu") {
		t.Fatalf("export to stdout: %d %q", code, out)
	}
}

func TestCarpoolAreasSQLite(t *testing.T) {
	carpoolAreasFlow(t, storetest.SQLitePath(t))
}

func TestCarpoolAreasPostgres(t *testing.T) {
	carpoolAreasFlow(t, storetest.PostgresURL(t))
}
