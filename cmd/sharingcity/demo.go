package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/demo"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
)

// Demo accounts, printed in the README. They exist only in the demo
// territory that `serve` seeds into a new SQLite file (or with --demo=true).
const (
	demoAdminEmail     = "admin@demo.sharingcity.example"
	demoAdminPassword  = "partage-demo-2026"
	demoModEmail       = "moderation@demo.sharingcity.example"
	demoMemberEmail    = "membre@demo.sharingcity.example"
	demoMemberPassword = "voisinage-demo-2026"
	demoSeed           = 2026
)

// seedDemo creates the demo territory with its accounts, organisations,
// a past MapJam and a few hundred published initiatives. It does nothing
// when the territory already exists.
func seedDemo(ctx context.Context, a *app, out io.Writer) error {
	if _, err := a.territories.Get(ctx, demo.Slug); err == nil {
		return nil
	} else if !errs.Is(err, errs.NotFound) {
		return err
	}
	system := access.SystemActor()
	ter := demo.Territory()
	if err := a.territories.Create(ctx, system, &ter); err != nil {
		return err
	}
	admin, err := a.accounts.CreateUser(ctx, system, demoAdminEmail, demoAdminPassword, true)
	if err != nil {
		return err
	}
	if err := a.accounts.SetPlatformAdmin(ctx, system, admin.ID, true); err != nil {
		return err
	}
	if _, err := a.accounts.CreateUser(ctx, system, demoModEmail, demoAdminPassword, true); err != nil {
		return err
	}
	if _, err := a.accounts.CreateUser(ctx, system, demoMemberEmail, demoMemberPassword, true); err != nil {
		return err
	}
	for email, role := range map[string]access.Role{demoAdminEmail: access.Admin, demoModEmail: access.Moderator, demoMemberEmail: access.Member} {
		if err := a.accounts.Grant(ctx, system, ter.ID, email, role); err != nil {
			return err
		}
	}
	adminActor, err := a.accounts.ActorFor(ctx, admin.ID)
	if err != nil {
		return err
	}
	orgs := demo.Organisations()
	orgIDs := make([]int64, len(orgs))
	for i, o := range orgs {
		org, err := a.accounts.CreateOrganisation(ctx, adminActor, ter.ID, account.Organisation{
			Name: o.Name, Kind: string(o.Kind), Description: o.Description, Website: o.Website,
		})
		if err != nil {
			return fmt.Errorf("organisation %q: %w", o.Name, err)
		}
		orgIDs[i] = org.ID
	}
	byName := make(map[string]int64, len(orgs))
	for i, o := range orgs {
		byName[o.Name] = orgIDs[i]
	}
	if err := seedDemoBooking(ctx, a, &ter, adminActor, byName); err != nil {
		return err
	}
	if err := seedDemoMobility(ctx, a, &ter, adminActor, byName); err != nil {
		return err
	}
	ev := demo.MapJam()
	jam := &directory.MapJam{Title: ev.Title, Place: ev.Place, StartsAt: ev.StartsAt, EndsAt: ev.EndsAt}
	if err := a.directory.OpenMapJam(ctx, adminActor, &ter, jam); err != nil {
		return fmt.Errorf("mapjam: %w", err)
	}
	list := demo.Initiatives(demoSeed)
	items := make([]directory.ImportItem, 0, len(list))
	for i, in := range list {
		it := directory.ImportItem{Row: i + 1, SourceKey: "demo-" + strconv.Itoa(i+1), Initiative: in.Initiative}
		if in.Organisation >= 0 {
			it.Initiative.OrganisationID = orgIDs[in.Organisation]
		}
		if in.MappedAtJam {
			it.MapJamID = jam.ID
		}
		items = append(items, it)
	}
	res, err := a.directory.Import(ctx, system, &ter, items, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "demo territory %q created: %d initiatives, %d organisations\n", ter.Slug, res.Created, len(orgs))
	fmt.Fprintf(out, "  administrator: %s / %s\n  member:        %s / %s\n", demoAdminEmail, demoAdminPassword, demoMemberEmail, demoMemberPassword)
	return nil
}
