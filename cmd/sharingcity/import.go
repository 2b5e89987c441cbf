package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/interchange"
)

// mapFlag collects repeated --map field=column pairs.
type mapFlag map[string]string

func (m mapFlag) String() string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ",")
}

func (m mapFlag) Set(s string) error {
	field, col, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(field) == "" || strings.TrimSpace(col) == "" {
		return fmt.Errorf("want field=column, got %q", s)
	}
	m[strings.TrimSpace(field)] = strings.TrimSpace(col)
	return nil
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func runImport(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "import", "import --db FILE_OR_URL --territory SLUG [--skip-invalid] [--map field=column]... [--format csv|geojson|lieux-covoiturage] FILE")
	dsn := dbFlag(env, fs)
	slug := fs.String("territory", "", "territory slug")
	skip := fs.Bool("skip-invalid", false, "write the good rows even when some are bad (exit code 0)")
	format := fs.String("format", "", "csv, geojson, or lieux-covoiturage for France's carpool-areas schema (default: from the file's extension)")
	kind := fs.String("kind", "", "kind for rows that give none: association, company, public_service, collective, commons")
	var categories listFlag
	fs.Var(&categories, "category", "category for rows that give none (repeatable)")
	mapping := mapFlag{}
	fs.Var(mapping, "map", "read a field from a named column, e.g. --map name=Nom --map lat=Y (repeatable); fields: "+strings.Join(interchange.Fields(), ", "))
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *slug == "" || len(files) != 1 {
		return usageError{"--territory and one FILE (or - for standard input) are required"}
	}
	name := files[0]
	if interchange.IsLieuxCovoiturage(*format) {
		return importCarpoolAreas(ctx, env, *dsn, *slug, name, *skip)
	}
	f, err := importFormat(*format, name)
	if err != nil {
		return err
	}
	in, closeIn, err := openInput(env, name)
	if err != nil {
		return err
	}
	defer closeIn()

	a, err := cliApp(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	ter, err := a.territories.Get(ctx, *slug)
	if err != nil {
		return err
	}
	opts := interchange.ReadOptions{Map: mapping, DefaultKind: directory.Kind(*kind), DefaultCategories: categories}
	items, rowErrs, err := interchange.Read(in, f, opts)
	if err != nil {
		printRowErrors(env.stderr, rowErrs)
		return err
	}
	res, err := a.directory.Import(ctx, access.SystemActor(), ter, interchange.ImportItems(items, rowErrs), *skip)
	if err := reportImport(env, res.Errors, err); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: %d created, %d updated, %d unchanged, %d skipped\n", ter.Slug, res.Created, res.Updated, res.Unchanged, res.Skipped)
	return nil
}

// reportImport lists the bad rows of an import and turns a refusal for
// them into the message that says what to do.
func reportImport(env *cliEnv, rowErrs []errs.FieldError, err error) error {
	printRowErrors(env.stderr, rowErrs)
	if e, ok := errs.As(err); ok && e.Kind == errs.Invalid && len(rowErrs) > 0 {
		return fmt.Errorf("%d error(s) in %d row(s): nothing was written (fix the file, or use --skip-invalid to write the good rows)", len(rowErrs), badRows(rowErrs))
	}
	return err
}

// parseInterspersed parses flags placed before or after the positional
// arguments ("import data.csv --skip-invalid"), which the flag package
// alone stops at.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func importFormat(flagValue, name string) (interchange.Format, error) {
	var f interchange.Format
	var err error
	if flagValue != "" {
		f, err = interchange.ParseFormat(flagValue)
	} else if name == "-" {
		return "", usageError{"--format is required when reading standard input"}
	} else {
		f, err = interchange.FormatOf(name)
	}
	if err != nil {
		return "", err
	}
	if f == interchange.FormatJSONLD {
		return "", usageError{"JSON-LD is an export format; import CSV or GeoJSON"}
	}
	return f, nil
}

func openInput(env *cliEnv, name string) (io.Reader, func(), error) {
	if name == "-" {
		return env.stdin, func() {}, nil
	}
	file, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return file, func() { file.Close() }, nil
}

// printRowErrors lists bad rows, one line each, in English or French.
func printRowErrors(w io.Writer, fields []errs.FieldError) {
	if len(fields) == 0 {
		return
	}
	loc := cliLocalizer()
	for _, f := range fields {
		fmt.Fprintln(w, loc.FieldErr(f))
	}
}

func badRows(fields []errs.FieldError) int {
	rows := map[int]bool{}
	for _, f := range fields {
		rows[f.Row] = true
	}
	return len(rows)
}
