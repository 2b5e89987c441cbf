package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// cli runs a command line in-process and returns its exit code and output.
func cli(t *testing.T, stdin string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &cliEnv{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }}
	code := run(context.Background(), e, args)
	return code, out.String(), errOut.String()
}

func TestHelpAndUnknown(t *testing.T) {
	if code, out, _ := cli(t, "", nil, "--help"); code != 0 || !strings.Contains(out, "serve") || !strings.Contains(out, "import") {
		t.Fatalf("--help: %d %q", code, out)
	}
	if code, _, errOut := cli(t, "", nil, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown command: %d %q", code, errOut)
	}
	if code, out, _ := cli(t, "", nil, "version"); code != 0 || !strings.HasPrefix(out, "sharingcity ") {
		t.Fatalf("version: %d %q", code, out)
	}
	for _, cmd := range []string{"serve", "migrate", "import", "export"} {
		if code, _, errOut := cli(t, "", nil, cmd, "--help"); code != 0 || !strings.Contains(errOut, "--db") && !strings.Contains(errOut, "-db") {
			t.Errorf("%s --help: %d %q", cmd, code, errOut)
		}
	}
	if code, _, errOut := cli(t, "", nil, "admin"); code != 2 || !strings.Contains(errOut, "territory create") {
		t.Fatalf("admin without subcommand: %d %q", code, errOut)
	}
}

// adminFlow runs the documented admin commands against db.
func adminFlow(t *testing.T, db string) {
	t.Helper()
	env := map[string]string{"SHARINGCITY_DATABASE_URL": db}
	code, out, errOut := cli(t, "", env, "admin", "territory", "create", "--slug", "lyon", "--name", "Lyon", "--bbox", "4.77,45.70,4.90,45.81")
	if code != 0 || !strings.Contains(out, "territory lyon created") {
		t.Fatalf("territory create: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, "", env, "admin", "territory", "create", "--slug", "lyon", "--name", "Lyon", "--bbox", "4.77,45.70,4.90,45.81"); code != 1 || !strings.Contains(errOut, "already taken") {
		t.Fatalf("duplicate territory: %d %q", code, errOut)
	}
	if code, _, errOut := cli(t, "", env, "admin", "territory", "create", "--slug", "x", "--name", "X", "--bbox", "5,45,4,46"); code != 1 || !strings.Contains(errOut, "area") {
		t.Fatalf("inverted bbox: %d %q", code, errOut)
	}
	if code, _, errOut := cli(t, "", env, "admin", "territory", "create", "--slug", "x"); code != 2 || !strings.Contains(errOut, "required") {
		t.Fatalf("missing flags: %d %q", code, errOut)
	}
	code, out, errOut = cli(t, "un mot de passe assez long\n", env, "admin", "user", "create", "--email", "Camille@Example.org", "--password-stdin", "--verified", "--territory", "lyon")
	if code != 0 || !strings.Contains(out, "camille@example.org") {
		t.Fatalf("user create: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, "court\n", env, "admin", "user", "create", "--email", "b@example.org", "--password-stdin"); code != 1 || !strings.Contains(errOut, "10") {
		t.Fatalf("short password: %d %q", code, errOut)
	}
	if code, out, errOut := cli(t, "", env, "admin", "grant", "--email", "camille@example.org", "--territory", "lyon", "--role", "moderator"); code != 0 || !strings.Contains(out, "moderator of lyon") {
		t.Fatalf("grant: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, "", env, "admin", "grant", "--email", "camille@example.org", "--territory", "lyon", "--role", "king"); code != 1 || !strings.Contains(errOut, "king") {
		t.Fatalf("bad role: %d %q", code, errOut)
	}
	code, out, _ = cli(t, "", env, "admin", "token", "create", "--email", "camille@example.org")
	if code != 0 || !strings.HasPrefix(out, "sc_") {
		t.Fatalf("token create: %d %q", code, out)
	}
	if code, out, _ := cli(t, "", env, "admin", "territory", "list"); code != 0 || !strings.Contains(out, "lyon\tLyon") {
		t.Fatalf("territory list: %d %q", code, out)
	}
	if code, out, _ := cli(t, "", env, "migrate", "status"); code != 0 || !strings.Contains(out, "00001") {
		t.Fatalf("migrate status: %d %q", code, out)
	}
}

func TestAdminSQLite(t *testing.T) {
	adminFlow(t, filepath.Join(t.TempDir(), "cli.db"))
}

func TestAdminPostgres(t *testing.T) {
	adminFlow(t, storetest.PostgresURL(t))
}
