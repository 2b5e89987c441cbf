package booking

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/jobs"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }

// env: territory "lyon" (Europe/Paris) with a library and a town hall,
// a neighbour "paris", members and the service under test.
type env struct {
	db          *store.DB
	svc         *Service
	accounts    *account.Service
	outbox      *mail.Outbox
	queue       *jobs.Queue
	ter, other  *territory.Territory
	clock       *clock
	library     *account.Organisation // run by librarian (1), staff clerk (2)
	townHall    *account.Organisation // run by mayor (3)
	otherOrg    *account.Organisation // in paris
	librarian   access.Actor
	clerk       access.Actor
	mayor       access.Actor
	moderator   access.Actor
	outsider    access.Actor // member of paris only
	anon        access.Actor
	memberCount int
}

var lyonBox = geo.BBox{MinLon: 4.77, MinLat: 45.70, MaxLon: 4.90, MaxLat: 45.81}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	// Saturday 14 March 2026, 10:00 in Lyon.
	e := &env{db: db, clock: &clock{t: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)}}
	log := slog.New(slog.DiscardHandler)
	e.outbox = mail.NewOutbox(db, log, e.clock.now)
	ts := territory.NewService(territory.NewSQLStore(db))
	e.ter = &territory.Territory{Slug: "lyon", Name: "Lyon", BBox: lyonBox, TimeZone: "Europe/Paris"}
	e.other = &territory.Territory{Slug: "paris", Name: "Paris", BBox: geo.BBox{MinLon: 2.22, MinLat: 48.81, MaxLon: 2.47, MaxLat: 48.91}}
	for _, ter := range []*territory.Territory{e.ter, e.other} {
		if err := ts.Create(ctx, access.SystemActor(), ter); err != nil {
			t.Fatalf("create territory: %v", err)
		}
	}
	e.accounts = account.NewService(db, e.outbox, log, e.clock.now, account.Options{BaseURL: "http://test.local", Hash: account.TestHashParams})
	e.queue = jobs.New(db, log, e.clock.now, jobs.Options{})
	e.svc = NewService(NewSQLStore(db), e.accounts, e.accounts, ts, e.outbox, e.queue, log, e.clock.now, Options{BaseURL: "http://test.local"})
	e.svc.RegisterJobs(func(kind string, h func(context.Context, json.RawMessage) error) { e.queue.Register(kind, h) }, e.queue.Every)
	e.librarian = e.user(t, e.ter, access.Member)
	e.clerk = e.user(t, e.ter, access.Member)
	e.mayor = e.user(t, e.ter, access.Member)
	e.moderator = e.user(t, e.ter, access.Moderator)
	e.outsider = e.user(t, e.other, access.Member)
	var err error
	if e.library, err = e.accounts.CreateOrganisation(ctx, e.librarian, e.ter.ID, account.Organisation{Name: "Bibliothèque d'objets", Kind: "association"}); err != nil {
		t.Fatal(err)
	}
	if err := e.accounts.AddOrgMember(ctx, e.librarian, e.ter.ID, e.library.ID, e.clerk.Email, account.OrgMember); err != nil {
		t.Fatal(err)
	}
	if e.townHall, err = e.accounts.CreateOrganisation(ctx, e.mayor, e.ter.ID, account.Organisation{Name: "Mairie", Kind: "public_service"}); err != nil {
		t.Fatal(err)
	}
	if e.otherOrg, err = e.accounts.CreateOrganisation(ctx, e.outsider, e.other.ID, account.Organisation{Name: "Outils de Paris", Kind: "association"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// user creates a verified user with a role in ter.
func (e *env) user(t testing.TB, ter *territory.Territory, role access.Role) access.Actor {
	t.Helper()
	e.memberCount++
	email := fmt.Sprintf("u%d@example.org", e.memberCount)
	var id int64
	if err := e.db.QueryRowW(context.Background(), `INSERT INTO users (email, display_name, password_hash, email_verified, created_at)
		VALUES (?, ?, 'x', ?, ?) RETURNING id`, email, fmt.Sprintf("Membre %d", e.memberCount), true, e.clock.now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return access.Actor{UserID: id, Email: email, Verified: true, Roles: map[int64]access.Role{ter.ID: role}}
}

// member is a new member of Lyon.
func (e *env) member(t testing.TB) access.Actor { return e.user(t, e.ter, access.Member) }

// local is a time in Lyon.
func local(y int, m time.Month, d, h, min int) time.Time {
	loc, _ := time.LoadLocation("Europe/Paris")
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

// drill adds a drill with n copies to the library.
func (e *env) drill(t testing.TB, n int, rules Rules) *Resource {
	t.Helper()
	r := &Resource{OrganisationID: e.library.ID, Kind: KindItem, Name: "Perceuse", Quantity: n, Rules: rules}
	if err := e.svc.CreateResource(context.Background(), e.librarian, e.ter, r); err != nil {
		t.Fatalf("create drill: %v", err)
	}
	return r
}

func (e *env) book(actor access.Actor, r *Resource, start, end time.Time, q int) (*Reservation, error) {
	return e.svc.Book(context.Background(), actor, e.ter, Request{ResourceID: r.ID, Start: start, End: end, Quantity: q})
}

func (e *env) mustBook(t testing.TB, actor access.Actor, r *Resource, start, end time.Time, q int) *Reservation {
	t.Helper()
	res, err := e.book(actor, r, start, end, q)
	if err != nil {
		t.Fatalf("book %v-%v: %v", start, end, err)
	}
	return res
}

func keyOf(err error) string {
	if e, ok := errs.As(err); ok {
		if e.Key == "err.invalid_input" && len(e.Fields) > 0 {
			return e.Fields[0].Key
		}
		return e.Key
	}
	if err == nil {
		return ""
	}
	return "internal: " + err.Error()
}
