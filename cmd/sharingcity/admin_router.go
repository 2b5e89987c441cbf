package main

import (
	"context"
	"fmt"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/rdex"
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

// adminRDEXClient adds, lists or removes the RDEX clients of a territory.
func adminRDEXClient(ctx context.Context, env *cliEnv, verb string, args []string) error {
	synopsis := "admin rdex-client " + verb + " --territory SLUG"
	if verb != "list" {
		synopsis += " --name NAME"
	}
	fs := newFlags(env, "admin rdex-client "+verb, synopsis)
	dsn := dbFlag(env, fs)
	slug := fs.String("territory", "", "territory slug")
	name := fs.String("name", "", "the client platform's name (e.g. Mobicoop)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *slug == "" || (verb != "list" && *name == "") {
		if verb == "list" {
			return usageError{"--territory is required"}
		}
		return usageError{"--territory and --name are required"}
	}
	a, t, err := cliTerritory(ctx, env, *dsn, *slug)
	if err != nil {
		return err
	}
	defer a.Close()
	clients := rdex.NewService(rdex.NewSQLStore(a.db))
	switch verb {
	case "add":
		c, err := clients.Add(ctx, access.SystemActor(), t.ID, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "RDEX client %s added to %s; give it these keys (the private key is not shown again):\napikey\t%s\nprivate key\t%s\n",
			c.Name, t.Slug, c.APIKey, c.PrivateKey)
	case "list":
		list, err := clients.List(ctx, access.SystemActor(), t.ID)
		if err != nil {
			return err
		}
		for _, c := range list {
			fmt.Fprintf(env.stdout, "%s\t%s\t%s\n", c.Name, c.APIKey, c.CreatedAt.Format("2006-01-02"))
		}
	case "remove":
		if err := clients.Remove(ctx, access.SystemActor(), t.ID, *name); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "RDEX client %s removed from %s\n", *name, t.Slug)
	}
	return nil
}
