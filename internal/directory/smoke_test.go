package directory

import (
	"context"
	"testing"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func TestSmoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		in := e.published(t, sample("Atelier de Réparation", 45.76, 4.83))
		got, err := e.svc.Get(ctx, e.anon, e.ter, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v", got)
		for _, q := range []string{"repar", "réparation", "REPARATION", "réparations", "reparat", "atelier"} {
			res, err := e.svc.Search(ctx, e.ter, Query{Text: q})
			if err != nil || res.Total != 1 || len(res.Items) != 1 {
				t.Errorf("%q: %+v %v", q, res, err)
			}
		}
		pts, err := e.svc.InBox(ctx, e.ter, lyonBox, Filter{}, 0)
		t.Log(pts, err)
		cs, err := e.svc.Clusters(ctx, e.ter, lyonBox, 12, Filter{})
		t.Log(cs, err)
		hits, err := e.svc.Near(ctx, e.ter, lyonBox.Center(), 5)
		t.Log(hits, err)
	})
}
