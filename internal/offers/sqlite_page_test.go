package offers

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestPageByIDsSQLite: the page read with its covers in one query holds
// what GetListing reads (public columns, times to the nanosecond), in the
// order asked, without ids of another territory.
func TestPageByIDsSQLite(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	e := newEnv(t, db)
	s := e.svc.store.(*SQLStore)
	var ids []int64
	for i, title := range []string{"Perceuse", "Vélo", "Tente"} {
		e.clock.add(time.Duration(i)*time.Second + 123456789*time.Nanosecond)
		ids = append(ids, e.create(t, e.owner, sample(title, 45.76, 4.83)).ID)
	}
	other := sample("Ailleurs", 48.85, 2.35)
	elsewhere := access.Actor{UserID: 1, Roles: map[int64]access.Role{e.other.ID: access.Member}}
	if err := e.svc.Create(ctx, elsewhere, e.other, other); err != nil {
		t.Fatal(err)
	}
	hits, err := s.pageByIDsSQLite(ctx, e.ter.ID, []int64{ids[2], other.ID, ids[0], ids[1]})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 {
		t.Fatalf("%d hits, want 3", len(hits))
	}
	for i, id := range []int64{ids[2], ids[0], ids[1]} {
		want, err := s.GetListing(ctx, e.ter.ID, id, false)
		if err != nil {
			t.Fatal(err)
		}
		want.ExactPosition, want.statusBeforeHide, want.acceptedCount, want.coverRead = nil, "", 0, true
		if got := hits[i].Listing; !reflect.DeepEqual(got, want) {
			t.Errorf("hit %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
}
