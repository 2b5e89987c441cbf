package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/interchange"
)

func runExport(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "export", "export --db FILE_OR_URL --territory SLUG --format geojson|csv|jsonld|lieux-covoiturage [-o FILE]")
	dsn := dbFlag(env, fs)
	slug := fs.String("territory", "", "territory slug")
	format := fs.String("format", "", "geojson, csv, jsonld, or lieux-covoiturage for the territory's carpool areas in France's schema (default: from -o's extension)")
	out := fs.String("o", "", "output file (default: standard output)")
	baseURL := fs.String("base-url", envDefault(env, "BASE_URL", ""), "public address of the site, to make page links absolute (env SHARINGCITY_BASE_URL)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *slug == "" || fs.NArg() != 0 {
		return usageError{"--territory is required and no other argument is accepted"}
	}
	if interchange.IsLieuxCovoiturage(*format) {
		return exportCarpoolAreas(ctx, env, *dsn, *slug, *out)
	}
	var f interchange.Format
	var err error
	switch {
	case *format != "":
		f, err = interchange.ParseFormat(*format)
	case *out != "":
		f, err = interchange.FormatOf(*out)
	default:
		return usageError{"--format is required when writing to standard output"}
	}
	if err != nil {
		return err
	}

	a, err := cliApp(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	ter, err := a.territories.Get(ctx, *slug)
	if err != nil {
		return err
	}
	each := func(yield func(*directory.Initiative) error) error { return a.directory.All(ctx, ter, yield) }
	opts := interchange.WriteOptions{BaseURL: *baseURL}
	if *out == "" {
		w := bufio.NewWriter(env.stdout)
		if err := interchange.Write(w, f, ter, each, opts); err != nil {
			return err
		}
		return w.Flush()
	}
	return writeFileAtomic(*out, func(w io.Writer) error { return interchange.Write(w, f, ter, each, opts) })
}

// writeFileAtomic writes through a temporary file renamed at the end, so a
// failed export never leaves a truncated file where a good one was.
func writeFileAtomic(name string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
