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

func TestService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := territory.NewService(territory.NewSQLStore(db))
		ter := &territory.Territory{Slug: "lyon", Name: "Lyon", BBox: geo.BBox{MinLon: 4.77, MinLat: 45.70, MaxLon: 4.90, MaxLat: 45.81}}

		if err := svc.Create(ctx, access.Actor{UserID: 1}, ter); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a plain user created a territory: %v", err)
		}
		if err := svc.Create(ctx, access.SystemActor(), ter); err != nil {
			t.Fatalf("create: %v", err)
		}
		dup := *ter
		if err := svc.Create(ctx, access.SystemActor(), &dup); !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate slug: %v", err)
		}
		got, err := svc.Get(ctx, "lyon")
		if err != nil || got.Name != "Lyon" || got.BBox != ter.BBox || got.TimeZone != "Europe/Paris" || !got.HasModule("directory") {
			t.Fatalf("get: %+v %v", got, err)
		}
		if _, err := svc.Get(ctx, "nowhere"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("missing territory: %v", err)
		}
		v := got.DataVersion
		if err := svc.DataChanged(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, _ := svc.Get(ctx, "lyon")
		if again.DataVersion != v+1 {
			t.Fatalf("version %d after a change, want %d", again.DataVersion, v+1)
		}

		moderator := access.Actor{UserID: 5, Roles: map[int64]access.Role{got.ID: access.Moderator}}
		upd := *again
		upd.Name = "Lyon Métropole"
		if err := svc.Update(ctx, moderator, &upd); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("moderator updated the territory: %v", err)
		}
		admin := access.Actor{UserID: 6, Roles: map[int64]access.Role{got.ID: access.Admin}}
		if err := svc.Update(ctx, admin, &upd); err != nil {
			t.Fatalf("admin update: %v", err)
		}
	})
}

func TestValidate(t *testing.T) {
	good := territory.Territory{Slug: "a-b", Name: "A", BBox: geo.BBox{MinLon: 1, MinLat: 1, MaxLon: 2, MaxLat: 2}}
	good.Defaults()
	cases := map[string]func(*territory.Territory){
		"bad slug":      func(t *territory.Territory) { t.Slug = "A B" },
		"empty name":    func(t *territory.Territory) { t.Name = " " },
		"inverted bbox": func(t *territory.Territory) { t.BBox.MinLon = 3 },
		"language":      func(t *territory.Territory) { t.Lang = "de" },
		"time zone":     func(t *territory.Territory) { t.TimeZone = "Mars/Olympus" },
		"module":        func(t *territory.Territory) { t.Modules = []string{"casino"} },
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("good territory: %v", err)
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			bad := good
			spoil(&bad)
			if err := bad.Validate(); !errs.Is(err, errs.Invalid) {
				t.Fatalf("want invalid, got %v", err)
			}
		})
	}
}
