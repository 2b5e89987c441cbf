package main

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/interchange"
)

// importCarpoolAreas imports a file of France's carpool-areas schema
// (import --format lieux-covoiturage): rows outside the territory are
// counted and left out, bad rows are listed.
func importCarpoolAreas(ctx context.Context, env *cliEnv, dsn, slug, name string, skip bool) error {
	in, closeIn, err := openInput(env, name)
	if err != nil {
		return err
	}
	defer closeIn()
	a, err := cliApp(ctx, env, dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	ter, err := a.territories.Get(ctx, slug)
	if err != nil {
		return err
	}
	items, rowErrs, err := interchange.ReadLieuxCovoiturage(in, interchange.CarpoolReadOptions{})
	if err != nil {
		printRowErrors(env.stderr, rowErrs)
		return err
	}
	res, err := a.directory.ImportCarpoolAreas(ctx, access.SystemActor(), ter, items, skip)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Kind == errs.Invalid && len(res.Errors) > 0 {
			printRowErrors(env.stderr, res.Errors)
			return fmt.Errorf("%d error(s) in %d row(s): nothing was written (fix the file, or use --skip-invalid to write the good rows)", len(res.Errors), badRows(res.Errors))
		}
		return err
	}
	printRowErrors(env.stderr, res.Errors)
	fmt.Fprintf(env.stdout, "%s: %d created, %d updated, %d unchanged, %d skipped, %d outside the territory\n",
		ter.Slug, res.Created, res.Updated, res.Unchanged, res.Skipped, res.Outside)
	return nil
}

// exportCarpoolAreas writes the territory's carpool areas in France's
// schema (export --format lieux-covoiturage).
func exportCarpoolAreas(ctx context.Context, env *cliEnv, dsn, slug, out string) error {
	a, err := cliApp(ctx, env, dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	ter, err := a.territories.Get(ctx, slug)
	if err != nil {
		return err
	}
	each := func(yield func(*directory.CarpoolAreaHit) error) error {
		return a.directory.AllCarpoolAreas(ctx, ter, yield)
	}
	if out == "" {
		w := bufio.NewWriter(env.stdout)
		if err := interchange.WriteLieuxCovoiturage(w, each); err != nil {
			return err
		}
		return w.Flush()
	}
	return writeFileAtomic(out, func(w io.Writer) error { return interchange.WriteLieuxCovoiturage(w, each) })
}
