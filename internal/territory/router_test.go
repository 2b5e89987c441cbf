package territory_test

import (
	"context"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

func TestRouterSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := territory.NewService(territory.NewSQLStore(db))
		ter := &territory.Territory{Slug: "diois", Name: "Diois", BBox: geo.BBox{MinLon: 5.2, MinLat: 44.6, MaxLon: 5.6, MaxLat: 44.9},
			RouterKind: territory.RouterOSRM, RouterURL: "http://osrm.internal:5000"}
		if err := svc.Create(ctx, access.SystemActor(), ter); err != nil {
			t.Fatal(err)
		}
		got, err := svc.ByID(ctx, ter.ID)
		if err != nil || got.RouterKind != "osrm" || got.RouterURL != "http://osrm.internal:5000" {
			t.Fatalf("created: %+v %v", got, err)
		}
		admin := access.Actor{UserID: 3, Roles: map[int64]access.Role{ter.ID: access.Admin}}
		member := access.Actor{UserID: 4, Roles: map[int64]access.Role{ter.ID: access.Member}}
		if _, err := svc.SetRouter(ctx, member, "diois", "", ""); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("member set the router: %v", err)
		}
		for _, bad := range [][2]string{{"graphhopper", "http://x"}, {"valhalla", ""}, {"", "http://x"}, {"osrm", "ftp://x"}} {
			if _, err := svc.SetRouter(ctx, admin, "diois", bad[0], bad[1]); !errs.Is(err, errs.Invalid) {
				t.Fatalf("router %q at %q: %v", bad[0], bad[1], err)
			}
		}
		if _, err := svc.SetRouter(ctx, admin, "diois", "valhalla", " https://valhalla.example.org "); err != nil {
			t.Fatal(err)
		}
		got, _ = svc.ByID(ctx, ter.ID)
		if got.RouterKind != "valhalla" || got.RouterURL != "https://valhalla.example.org" {
			t.Fatalf("after set: %q %q", got.RouterKind, got.RouterURL)
		}
		if _, err := svc.SetRouter(ctx, admin, "diois", "", ""); err != nil {
			t.Fatal(err)
		}
		if got, _ = svc.ByID(ctx, ter.ID); got.RouterKind != "" || got.RouterURL != "" {
			t.Fatalf("after clearing: %q %q", got.RouterKind, got.RouterURL)
		}
	})
}
