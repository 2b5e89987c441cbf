package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

const adminUsage = `Usage: sharingcity admin SUBCOMMAND [flags]

Subcommands:
  territory create --slug SLUG --name NAME --bbox minLon,minLat,maxLon,maxLat [--lang fr] [--tz Europe/Paris]
                   [--router osrm|valhalla --router-url URL]
  territory set --slug SLUG --router osrm|valhalla|none [--router-url URL]
  territory list
  rdex-client add --territory SLUG --name NAME
  rdex-client list --territory SLUG
  rdex-client remove --territory SLUG --name NAME
  rdex-partner add --territory SLUG --name NAME --url URL --public-key KEY --private-key-stdin [--disabled]
  rdex-partner list --territory SLUG
  rdex-partner remove --territory SLUG --name NAME
  rdex-partner enable|disable --territory SLUG --name NAME
  user create --email E --password-stdin [--verified] [--territory SLUG] [--platform-admin]
  grant --email E --territory SLUG --role member|organiser|moderator|admin
  token create --email E [--name NAME]
  outbox [--to E] [--limit N]

Every subcommand takes --db FILE_OR_URL (env SHARINGCITY_DATABASE_URL).`

func runAdmin(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.stderr, adminUsage)
		if len(args) == 0 {
			return usageError{"admin needs a subcommand"}
		}
		return nil
	}
	two := args[0]
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		two += " " + args[1]
	}
	switch two {
	case "territory create":
		return adminTerritoryCreate(ctx, env, args[2:])
	case "territory list":
		return adminTerritoryList(ctx, env, args[2:])
	case "territory set":
		return adminTerritorySet(ctx, env, args[2:])
	case "rdex-client add", "rdex-client list", "rdex-client remove":
		return adminRDEXClient(ctx, env, args[1], args[2:])
	case "rdex-partner add", "rdex-partner list", "rdex-partner remove", "rdex-partner enable", "rdex-partner disable":
		return adminRDEXPartner(ctx, env, args[1], args[2:])
	case "user create":
		return adminUserCreate(ctx, env, args[2:])
	case "token create":
		return adminTokenCreate(ctx, env, args[2:])
	}
	switch args[0] {
	case "grant":
		return adminGrant(ctx, env, args[1:])
	case "outbox":
		return adminOutbox(ctx, env, args[1:])
	}
	fmt.Fprintln(env.stderr, adminUsage)
	return usageError{fmt.Sprintf("unknown admin subcommand %q", two)}
}

// cliApp opens the services quietly: commands print results, not logs.
func cliApp(ctx context.Context, env *cliEnv, dsn string) (*app, error) {
	log := slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return openApp(ctx, log, appOptions{dsn: dsn, baseURL: envDefault(env, "BASE_URL", "")})
}

func adminTerritoryCreate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "admin territory create", "admin territory create --slug SLUG --name NAME --bbox minLon,minLat,maxLon,maxLat [--lang fr] [--tz Europe/Paris]")
	dsn := dbFlag(env, fs)
	slug := fs.String("slug", "", "short name used in URLs (lower case, digits, dashes)")
	name := fs.String("name", "", "display name")
	bbox := fs.String("bbox", "", "boundary as minLon,minLat,maxLon,maxLat (WGS84)")
	lang := fs.String("lang", "fr", "default language: fr or en")
	tz := fs.String("tz", "Europe/Paris", "time zone (IANA name)")
	modules := fs.String("modules", "directory", "enabled modules, comma-separated")
	router := fs.String("router", "", "routing server for carpool routes: osrm or valhalla (default: straight segments)")
	routerURL := fs.String("router-url", "", "the routing server's base address")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *slug == "" || *name == "" || *bbox == "" {
		return usageError{"--slug, --name and --bbox are required"}
	}
	box, err := geo.ParseBBox(*bbox)
	if err != nil {
		return err
	}
	a, err := cliApp(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	t := &territory.Territory{Slug: *slug, Name: *name, BBox: box, Lang: *lang, TimeZone: *tz, Modules: strings.Split(*modules, ","),
		RouterKind: *router, RouterURL: *routerURL}
	if err := a.territories.Create(ctx, access.SystemActor(), t); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "territory %s created (%s)\n", t.Slug, t.BBox)
	return nil
}

func adminTerritoryList(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "admin territory list", "admin territory list")
	dsn := dbFlag(env, fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := cliApp(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := a.territories.List(ctx)
	if err != nil {
		return err
	}
	for _, t := range list {
		fmt.Fprintf(env.stdout, "%s\t%s\t%s\t%s\n", t.Slug, t.Name, t.BBox, t.Lang)
	}
	return nil
}

func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func adminUserCreate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "admin user create", "admin user create --email E --password-stdin [--verified] [--territory SLUG] [--platform-admin]")
	dsn := dbFlag(env, fs)
	email := fs.String("email", "", "e-mail address (the login)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	verified := fs.Bool("verified", false, "mark the e-mail address as verified")
	slug := fs.String("territory", "", "make the user a member of this territory")
	platformAdmin := fs.Bool("platform-admin", false, "administrator of the whole platform")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" || !*pwStdin {
		return usageError{"--email and --password-stdin are required"}
	}
	password, err := readPassword(env.stdin)
	if err != nil {
		return err
	}
	a, err := cliApp(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	var territoryID int64
	if *slug != "" {
		t, err := a.territories.Get(ctx, *slug)
		if err != nil {
			return err
		}
		territoryID = t.ID
	}
	u, err := a.accounts.CreateUser(ctx, access.SystemActor(), *email, password, *verified)
	if err != nil {
		return err
	}
	if *platformAdmin {
		if err := a.accounts.SetPlatformAdmin(ctx, access.SystemActor(), u.ID, true); err != nil {
			return err
		}
	}
	if territoryID != 0 {
		if err := a.accounts.Grant(ctx, access.SystemActor(), territoryID, u.Email, access.Member); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.stdout, "user %s created (id %d)\n", u.Email, u.ID)
	return nil
}

func adminGrant(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "admin grant", "admin grant --email E --territory SLUG --role member|organiser|moderator|admin")
	dsn := dbFlag(env, fs)
	email := fs.String("email", "", "the user's e-mail address")
	slug := fs.String("territory", "", "territory slug")
	role := fs.String("role", "", "member, organiser, moderator or admin")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" || *slug == "" || *role == "" {
		return usageError{"--email, --territory and --role are required"}
	}
	if !access.Role(*role).Valid() {
		return errs.E(errs.Invalid, "err.role_unknown", "Role", *role)
	}
	a, err := cliApp(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.territories.Get(ctx, *slug)
	if err != nil {
		return err
	}
	if err := a.accounts.Grant(ctx, access.SystemActor(), t.ID, *email, access.Role(*role)); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s is now %s of %s\n", *email, *role, t.Slug)
	return nil
}

func adminTokenCreate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "admin token create", "admin token create --email E [--name NAME]")
	dsn := dbFlag(env, fs)
	email := fs.String("email", "", "the user the token acts for")
	name := fs.String("name", "cli", "a name to recognise the token by")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		return usageError{"--email is required"}
	}
	a, err := cliApp(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.accounts.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	secret, err := a.accounts.CreateToken(ctx, access.SystemActor(), u.ID, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, secret)
	return nil
}

func adminOutbox(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "admin outbox", "admin outbox [--to E] [--limit N]")
	dsn := dbFlag(env, fs)
	to := fs.String("to", "", "only mail to this address")
	limit := fs.Int("limit", 20, "how many, newest first")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := cliApp(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := a.outbox.List(ctx, *to, *limit)
	if err != nil {
		return err
	}
	for _, m := range list {
		fmt.Fprintf(env.stdout, "--- #%d %s to %s\nSubject: %s\n\n%s\n", m.ID, m.CreatedAt.Format("2006-01-02 15:04"), m.To, m.Subject, m.Body)
	}
	return nil
}
