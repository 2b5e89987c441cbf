package main

import (
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// carpoolAdminFlow runs the router and RDEX client commands against db.
func carpoolAdminFlow(t *testing.T, db string) {
	t.Helper()
	env := map[string]string{"SHARINGCITY_DATABASE_URL": db}
	code, out, errOut := cli(t, "", env, "admin", "territory", "create", "--slug", "diois", "--name", "Diois",
		"--bbox", "5.2,44.6,5.6,44.9", "--router", "osrm", "--router-url", "http://osrm.internal:5000")
	if code != 0 || !strings.Contains(out, "territory diois created") {
		t.Fatalf("territory create with a router: %d %q %q", code, out, errOut)
	}
	if code, out, errOut := cli(t, "", env, "admin", "territory", "set", "--slug", "diois", "--router", "valhalla", "--router-url", "https://valhalla.example.org"); code != 0 || !strings.Contains(out, "valhalla at https://valhalla.example.org") {
		t.Fatalf("territory set: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, "", env, "admin", "territory", "set", "--slug", "diois", "--router", "graphhopper", "--router-url", "http://x"); code != 1 || !strings.Contains(errOut, "graphhopper") {
		t.Fatalf("unknown router: %d %q", code, errOut)
	}
	if code, out, errOut := cli(t, "", env, "admin", "territory", "set", "--slug", "diois", "--router", "none"); code != 0 || !strings.Contains(out, "straight segments") {
		t.Fatalf("router none: %d %q %q", code, out, errOut)
	}

	code, out, errOut = cli(t, "", env, "admin", "rdex-client", "add", "--territory", "diois", "--name", "Mobicoop")
	if code != 0 || !strings.Contains(out, "apikey\t") || !strings.Contains(out, "private key\t") {
		t.Fatalf("rdex-client add: %d %q %q", code, out, errOut)
	}
	apiKey := strings.Fields(strings.Split(out, "apikey\t")[1])[0]
	if code, _, errOut := cli(t, "", env, "admin", "rdex-client", "add", "--territory", "diois", "--name", "Mobicoop"); code != 1 || !strings.Contains(errOut, "Mobicoop") {
		t.Fatalf("rdex-client add twice: %d %q", code, errOut)
	}
	if code, out, _ := cli(t, "", env, "admin", "rdex-client", "list", "--territory", "diois"); code != 0 || !strings.Contains(out, "Mobicoop\t"+apiKey) {
		t.Fatalf("rdex-client list: %d %q", code, out)
	}
	if code, out, _ := cli(t, "", env, "admin", "rdex-client", "remove", "--territory", "diois", "--name", "Mobicoop"); code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("rdex-client remove: %d %q", code, out)
	}
	if code, out, _ := cli(t, "", env, "admin", "rdex-client", "list", "--territory", "diois"); code != 0 || out != "" {
		t.Fatalf("rdex-client list after remove: %d %q", code, out)
	}
	if code, _, errOut := cli(t, "", env, "admin", "rdex-client", "add", "--territory", "diois"); code != 2 || !strings.Contains(errOut, "--name") {
		t.Fatalf("rdex-client add without a name: %d %q", code, errOut)
	}
}

func TestCarpoolAdminSQLite(t *testing.T) {
	carpoolAdminFlow(t, storetest.SQLitePath(t))
}

func TestCarpoolAdminPostgres(t *testing.T) {
	carpoolAdminFlow(t, storetest.PostgresURL(t))
}
