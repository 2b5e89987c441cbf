package main

import (
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// rdexPartnerFlow runs the rdex-partner commands against db: the private
// key comes on standard input and no command prints it.
func rdexPartnerFlow(t *testing.T, db string) {
	t.Helper()
	env := map[string]string{"SHARINGCITY_DATABASE_URL": db}
	if code, out, errOut := cli(t, "", env, "admin", "territory", "create", "--slug", "diois", "--name", "Diois", "--bbox", "5.2,44.6,5.6,44.9"); code != 0 {
		t.Fatalf("territory: %d %q %q", code, out, errOut)
	}
	const secret = "s3cr3t-private-key"
	add := []string{"admin", "rdex-partner", "add", "--territory", "diois", "--name", "Mobicoop", "--url", "https://api.mobicoop.example/rdex", "--public-key", "PUBKEY42", "--private-key-stdin"}
	code, out, errOut := cli(t, secret+"\n", env, add...)
	if code != 0 || !strings.Contains(out, "RDEX partner Mobicoop added to diois") || strings.Contains(out+errOut, secret) {
		t.Fatalf("add: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, secret+"\n", env, add...); code != 1 || !strings.Contains(errOut, "Mobicoop") {
		t.Fatalf("add twice: %d %q", code, errOut)
	}
	if code, _, errOut := cli(t, "", env, "admin", "rdex-partner", "add", "--territory", "diois", "--name", "X", "--url", "https://x.example", "--public-key", "k"); code != 2 || !strings.Contains(errOut, "--private-key-stdin") {
		t.Fatalf("add without the key: %d %q", code, errOut)
	}
	if code, _, errOut := cli(t, "k\n", env, "admin", "rdex-partner", "add", "--territory", "diois", "--name", "X", "--url", "ftp://x.example", "--public-key", "k", "--private-key-stdin"); code != 1 || errOut == "" {
		t.Fatalf("add with a bad URL: %d %q", code, errOut)
	}
	if code, _, _ := cli(t, "k2\n", env, "admin", "rdex-partner", "add", "--territory", "diois", "--name", "Karos", "--url", "https://karos.example/rdex", "--public-key", "k", "--private-key-stdin", "--disabled"); code != 0 {
		t.Fatal("add disabled")
	}
	code, out, _ = cli(t, "", env, "admin", "rdex-partner", "list", "--territory", "diois")
	if code != 0 || !strings.Contains(out, "Karos\thttps://karos.example/rdex\tdisabled") || !strings.Contains(out, "Mobicoop\thttps://api.mobicoop.example/rdex\tenabled") ||
		strings.Contains(out, secret) || strings.Contains(out, "PUBKEY42") {
		t.Fatalf("list: %d %q", code, out)
	}
	if code, out, _ := cli(t, "", env, "admin", "rdex-partner", "enable", "--territory", "diois", "--name", "Karos"); code != 0 || !strings.Contains(out, "enabled") {
		t.Fatalf("enable: %d %q", code, out)
	}
	if code, _, _ := cli(t, "", env, "admin", "rdex-partner", "disable", "--territory", "diois", "--name", "Mobicoop"); code != 0 {
		t.Fatalf("disable: %d", code)
	}
	code, out, _ = cli(t, "", env, "admin", "rdex-partner", "list", "--territory", "diois")
	if code != 0 || !strings.Contains(out, "Karos\thttps://karos.example/rdex\tenabled") || !strings.Contains(out, "Mobicoop\thttps://api.mobicoop.example/rdex\tdisabled") {
		t.Fatalf("list after enable/disable: %d %q", code, out)
	}
	if code, _, errOut := cli(t, "", env, "admin", "rdex-partner", "enable", "--territory", "diois", "--name", "Nobody"); code != 1 || errOut == "" {
		t.Fatalf("enable an unknown partner: %d %q", code, errOut)
	}
	if code, out, _ := cli(t, "", env, "admin", "rdex-partner", "remove", "--territory", "diois", "--name", "Mobicoop"); code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("remove: %d %q", code, out)
	}
	if code, _, _ := cli(t, "", env, "admin", "rdex-partner", "remove", "--territory", "diois", "--name", "Mobicoop"); code != 1 {
		t.Fatalf("remove twice: %d", code)
	}
	if code, out, _ := cli(t, "", env, "admin", "rdex-partner", "list", "--territory", "diois"); code != 0 || strings.Contains(out, "Mobicoop") {
		t.Fatalf("list after remove: %d %q", code, out)
	}
}

func TestRDEXPartnerAdminSQLite(t *testing.T) {
	rdexPartnerFlow(t, storetest.SQLitePath(t))
}

func TestRDEXPartnerAdminPostgres(t *testing.T) {
	rdexPartnerFlow(t, storetest.PostgresURL(t))
}
