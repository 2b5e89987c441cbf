package directory

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// orgs is a fake of the organisations module: who belongs to which.
type orgs struct {
	mu      sync.Mutex
	members map[[2]int64]bool
}

func (o *orgs) IsOrgMember(_ context.Context, orgID, userID int64) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.members[[2]int64{orgID, userID}], nil
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a territory "lyon" with a neighbour "paris", users of every role,
// two organisations, and the service under test.
type env struct {
	db          *store.DB
	svc         *Service
	territories *territory.Service
	ter, other  *territory.Territory
	orgA, orgB  int64
	clock       *clock
	// actors by role name
	anon, member, member2, orgOrganiser, otherOrganiser, moderator, otherModerator, admin access.Actor
}

var lyonBox = geo.BBox{MinLon: 4.77, MinLat: 45.70, MaxLon: 4.90, MaxLat: 45.81}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{db: db, clock: &clock{t: time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)}}
	e.territories = territory.NewService(territory.NewSQLStore(db))
	e.ter = &territory.Territory{Slug: "lyon", Name: "Lyon", BBox: lyonBox}
	e.other = &territory.Territory{Slug: "paris", Name: "Paris", BBox: geo.BBox{MinLon: 2.22, MinLat: 48.81, MaxLon: 2.47, MaxLat: 48.91}}
	for _, ter := range []*territory.Territory{e.ter, e.other} {
		if err := e.territories.Create(ctx, access.SystemActor(), ter); err != nil {
			t.Fatalf("create territory: %v", err)
		}
	}
	for id := 1; id <= 8; id++ {
		var got int
		if err := db.QueryRowW(ctx, `INSERT INTO users (email, password_hash, created_at) VALUES (?, 'x', ?) RETURNING id`,
			fmt.Sprintf("u%d@example.org", id), e.clock.now()).Scan(&got); err != nil || got != id {
			t.Fatalf("user %d: got id %d, %v", id, got, err)
		}
	}
	for i, name := range []string{"Atelier Vélo", "Repair Café"} {
		var id int64
		if err := db.QueryRowW(ctx, `INSERT INTO organisations (territory_id, name, kind, created_at) VALUES (?, ?, 'association', ?) RETURNING id`,
			e.ter.ID, name, e.clock.now()).Scan(&id); err != nil {
			t.Fatalf("organisation: %v", err)
		}
		if i == 0 {
			e.orgA = id
		} else {
			e.orgB = id
		}
	}
	o := &orgs{members: map[[2]int64]bool{{e.orgA, 2}: true, {e.orgB, 3}: true}}
	in := func(id int64, ter *territory.Territory, r access.Role) access.Actor {
		return access.Actor{UserID: id, Roles: map[int64]access.Role{ter.ID: r}}
	}
	e.member = in(1, e.ter, access.Member)
	e.orgOrganiser = in(2, e.ter, access.Organiser)
	e.otherOrganiser = in(3, e.ter, access.Organiser)
	e.moderator = in(4, e.ter, access.Moderator)
	e.otherModerator = in(5, e.other, access.Moderator)
	e.admin = in(6, e.ter, access.Admin)
	e.member2 = in(7, e.ter, access.Member)
	e.svc = NewService(NewSQLStore(db), e.territories, o, slog.New(slog.DiscardHandler), e.clock.now)
	return e
}

// sample returns valid content at a position inside Lyon.
func sample(name string, lat, lon float64) *Initiative {
	return &Initiative{
		Name: name, Summary: "Un lieu de partage", Categories: []string{"waste_repair"}, Kind: KindAssociation,
		Address: "1 place Bellecour, Lyon", Position: geo.Point{Lat: lat, Lon: lon},
		OpeningHours: []OpeningHours{{Day: 3, Opens: "14:00", Close: "18:00"}},
	}
}

// published creates a published initiative as the moderator.
func (e *env) published(t testing.TB, in *Initiative) *Initiative {
	t.Helper()
	if err := e.svc.Contribute(context.Background(), e.moderator, e.ter, in); err != nil {
		t.Fatalf("contribute %q: %v", in.Name, err)
	}
	return in
}

func (e *env) version(t testing.TB) int64 {
	t.Helper()
	v, err := territory.NewSQLStore(e.db).Version(context.Background(), e.ter.ID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// memIndexOf builds the in-memory index of a territory's published
// entries, as "near me" and the name checks use it.
func memIndexOf(t testing.TB, st *SQLStore, territoryID int64) *memIndex {
	t.Helper()
	b := newMemIndexBuilder(maxNearPoints)
	if err := st.PublishedPoints(context.Background(), territoryID, b); err != nil {
		t.Fatal(err)
	}
	return b.build()
}
