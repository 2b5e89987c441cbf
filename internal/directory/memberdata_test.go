package directory

import (
	"context"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func TestDataOf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := sample("Grainothèque de la Croix-Rousse", 45.77, 4.83)
		if err := e.svc.Contribute(ctx, e.member, e.ter, in); err != nil {
			t.Fatal(err)
		}
		other := e.published(t, sample("Repair café", 45.76, 4.84))
		if _, err := e.svc.Report(ctx, e.member, e.ter, other.ID, "fermé depuis un an"); err != nil {
			t.Fatal(err)
		}
		d, err := e.svc.DataOf(ctx, e.member)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Initiatives) != 1 || d.Initiatives[0].Name != in.Name || len(d.Revisions) != 1 || len(d.Reports) != 1 || d.Reports[0].Reason != "fermé depuis un an" {
			t.Fatalf("member data: %+v", d)
		}
		mod, _ := e.svc.DataOf(ctx, e.moderator)
		if len(mod.Initiatives) != 1 || mod.Initiatives[0].ID != other.ID || len(mod.Reports) != 0 {
			t.Fatalf("moderator's data mixes in the member's: %+v", mod)
		}
		if _, err := e.svc.DataOf(ctx, e.anon); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("anonymous: %v", err)
		}
	})
}
