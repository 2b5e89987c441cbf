package main

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/interchange"
	"github.com/sharingcity/sharingcity/internal/territory"
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
	a, ter, err := cliTerritory(ctx, env, dsn, slug)
	if err != nil {
		return err
	}
	defer a.Close()
	items, rowErrs, err := interchange.ReadLieuxCovoiturage(in, interchange.CarpoolReadOptions{})
	if err != nil {
		printRowErrors(env.stderr, rowErrs)
		return err
	}
	res, err := a.directory.ImportCarpoolAreas(ctx, access.SystemActor(), ter, items, skip)
	if err := reportImport(env, res.Errors, err); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: %d created, %d updated, %d unchanged, %d skipped, %d outside the territory\n",
		ter.Slug, res.Created, res.Updated, res.Unchanged, res.Skipped, res.Outside)
	return nil
}

// cliTerritory opens the services and reads a territory; the caller
// closes the app.
func cliTerritory(ctx context.Context, env *cliEnv, dsn, slug string) (*app, *territory.Territory, error) {
	a, err := cliApp(ctx, env, dsn)
	if err != nil {
		return nil, nil, err
	}
	ter, err := a.territories.Get(ctx, slug)
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, ter, nil
}

// exportCarpoolAreas writes the territory's carpool areas in France's
// schema (export --format lieux-covoiturage).
func exportCarpoolAreas(ctx context.Context, env *cliEnv, dsn, slug, out string) error {
	a, ter, err := cliTerritory(ctx, env, dsn, slug)
	if err != nil {
		return err
	}
	defer a.Close()
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
