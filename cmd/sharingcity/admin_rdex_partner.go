package main

import (
	"context"
	"fmt"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/rdex"
)

// adminRDEXPartner adds, lists, enables, disables or removes the partner
// carpool platforms a
// territory's search also asks. The private key comes on standard input,
// never on the command line (where `ps` and shell histories would show it),
// and `list` never prints either key.
func adminRDEXPartner(ctx context.Context, env *cliEnv, verb string, args []string) error {
	synopsis := map[string]string{
		"add":     "admin rdex-partner add --territory SLUG --name NAME --url URL --public-key KEY --private-key-stdin [--disabled]",
		"list":    "admin rdex-partner list --territory SLUG",
		"remove":  "admin rdex-partner remove --territory SLUG --name NAME",
		"enable":  "admin rdex-partner enable --territory SLUG --name NAME",
		"disable": "admin rdex-partner disable --territory SLUG --name NAME",
	}[verb]
	fs := newFlags(env, "admin rdex-partner "+verb, synopsis)
	dsn := dbFlag(env, fs)
	slug := fs.String("territory", "", "territory slug")
	name := fs.String("name", "", "the partner platform's name, as residents see it")
	baseURL := fs.String("url", "", "the partner's RDEX base address (journeys are at URL/journeys)")
	publicKey := fs.String("public-key", "", "the API key the partner gave")
	keyStdin := fs.Bool("private-key-stdin", false, "read the partner's private key from the first line of standard input")
	disabled := fs.Bool("disabled", false, "record the partner without asking it yet")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *slug == "":
		return usageError{"--territory is required"}
	case verb != "list" && *name == "":
		return usageError{"--name is required"}
	case verb == "add" && (*baseURL == "" || *publicKey == "" || !*keyStdin):
		return usageError{"--url, --public-key and --private-key-stdin are required"}
	}
	var privateKey string
	if verb == "add" {
		var err error
		if privateKey, err = readPassword(env.stdin); err != nil {
			return err
		}
	}
	a, t, err := cliTerritory(ctx, env, *dsn, *slug)
	if err != nil {
		return err
	}
	defer a.Close()
	partners := rdex.NewPartners(rdex.NewSQLStore(a.db))
	switch verb {
	case "add":
		p := &rdex.Partner{Name: *name, URL: *baseURL, PublicKey: *publicKey, PrivateKey: privateKey, Enabled: !*disabled}
		if err := partners.Add(ctx, access.SystemActor(), t.ID, p); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "RDEX partner %s added to %s (%s)\n", p.Name, t.Slug, p.URL)
	case "list":
		list, err := partners.List(ctx, access.SystemActor(), t.ID)
		if err != nil {
			return err
		}
		for _, p := range list {
			state := "enabled"
			if !p.Enabled {
				state = "disabled"
			}
			fmt.Fprintf(env.stdout, "%s\t%s\t%s\t%s\n", p.Name, p.URL, state, p.CreatedAt.Format("2006-01-02"))
		}
	case "remove":
		if err := partners.Remove(ctx, access.SystemActor(), t.ID, *name); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "RDEX partner %s removed from %s\n", *name, t.Slug)
	case "enable", "disable":
		if err := partners.SetEnabled(ctx, access.SystemActor(), t.ID, *name, verb == "enable"); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "RDEX partner %s %sd in %s\n", *name, verb, t.Slug)
	}
	return nil
}
