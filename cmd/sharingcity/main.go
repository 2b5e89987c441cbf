// Command sharingcity runs the sharing platform of a territory: the web
// server and the commands that operators script (migrations, accounts,
// imports and exports).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/i18n"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand: its one-line summary and what it runs.
type command struct {
	summary string
	run     func(ctx context.Context, env *cliEnv, args []string) error
}

// cliEnv is what commands may touch outside themselves, so tests can run
// them in-process.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func commands() map[string]command {
	return map[string]command{
		"serve":   {"run the web server (pages, API, map)", runServe},
		"migrate": {"apply database migrations (or show their status)", runMigrate},
		"admin":   {"manage territories, users, roles and API tokens", runAdmin},
		"import":  {"import initiatives from a CSV or GeoJSON file", runImport},
		"export":  {"export a territory's initiatives as GeoJSON, CSV or JSON-LD", runExport},
		"jobs":    {"show background job counts, or run the due jobs once", runJobs},
		"ledger":  {"verify the ledger against its journal; set partner territories", runLedger},
		"version": {"print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &cliEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(run(ctx, env, os.Args[1:]))
}

// run executes a command line and returns the process exit code.
func run(ctx context.Context, env *cliEnv, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.stdout, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(env.stderr, "sharingcity: unknown command %q\n\n", args[0])
		usage(env.stderr, cmds)
		return 2
	}
	err := cmd.run(ctx, env, args[1:])
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(env.stderr, "sharingcity %s: %s\n", args[0], cliMessage(err))
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "Usage: sharingcity COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'sharingcity COMMAND --help' for a command's flags. Every flag can also be")
	fmt.Fprintln(w, "set with an environment variable: SHARINGCITY_ + its name in capitals (--db is")
	fmt.Fprintln(w, "SHARINGCITY_DATABASE_URL).")
}

// usageError is a mistake in the command line itself (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// cliMessage explains err in English for the terminal, with field errors.
func cliMessage(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return err.Error()
	}
	loc := cliLocalizer()
	msg := loc.T(e.Key, e.Args)
	var lines []string
	for _, f := range e.Fields {
		lines = append(lines, "  "+loc.FieldErr(f))
	}
	if len(lines) > 0 {
		msg += "\n" + strings.Join(lines, "\n")
	}
	if e.Err != nil && e.Kind == errs.Internal {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func cliLocalizer() *i18n.Localizer {
	b, err := i18n.Load()
	if err != nil {
		panic(err)
	}
	lang := "en"
	if l := os.Getenv("LANG"); strings.HasPrefix(l, "fr") {
		lang = "fr"
	}
	return b.Localizer(lang)
}

// newFlags makes a flag set whose usage names the command and whose flags
// can be given by SHARINGCITY_* variables (see envDefault).
func newFlags(env *cliEnv, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: sharingcity %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// envDefault returns the SHARINGCITY_ variable for a flag, or def.
func envDefault(env *cliEnv, name, def string) string {
	if v := env.getenv("SHARINGCITY_" + name); v != "" {
		return v
	}
	return def
}

// dbFlag adds the --db flag every command shares.
func dbFlag(env *cliEnv, fs *flag.FlagSet) *string {
	return fs.String("db", envDefault(env, "DATABASE_URL", "sharingcity.db"),
		"SQLite file or postgres:// URL (env SHARINGCITY_DATABASE_URL)")
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

func runVersion(_ context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "version", "version")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "sharingcity", version)
	return nil
}
