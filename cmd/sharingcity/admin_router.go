package main

import (
	"context"
	"fmt"

	"github.com/sharingcity/sharingcity/internal/access"
)

// adminTerritorySet changes a territory's routing server.
func adminTerritorySet(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "admin territory set", "admin territory set --slug SLUG --router osrm|valhalla|none [--router-url URL]")
	dsn := dbFlag(env, fs)
	slug := fs.String("slug", "", "the territory's slug")
	router := fs.String("router", "", "routing server for carpool routes: osrm, valhalla, or none for straight segments")
	routerURL := fs.String("router-url", "", "the routing server's base address (with osrm or valhalla)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *slug == "" || *router == "" {
		return usageError{"--slug and --router are required"}
	}
	kind := *router
	if kind == "none" {
		kind = ""
	}
	a, err := cliApp(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.territories.SetRouter(ctx, access.SystemActor(), *slug, kind, *routerURL)
	if err != nil {
		return err
	}
	if t.RouterKind == "" {
		fmt.Fprintf(env.stdout, "territory %s: carpool routes use straight segments\n", t.Slug)
		return nil
	}
	fmt.Fprintf(env.stdout, "territory %s: carpool routes from %s at %s\n", t.Slug, t.RouterKind, t.RouterURL)
	return nil
}
