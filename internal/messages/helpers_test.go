package messages

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
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
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// listings fakes the offers module: listing id -> title and owner.
type listings map[int64]struct {
	title string
	owner int64
}

func (l listings) SubjectTitle(_ context.Context, _ *territory.Territory, _ string, id int64) (string, int64, error) {
	it, ok := l[id]
	if !ok {
		return "", 0, errs.E(errs.NotFound, "err.not_found")
	}
	return it.title, it.owner, nil
}

// people reads the users table, as the account module would.
type people struct{ db *store.DB }

func (p people) Contact(ctx context.Context, id int64) (string, string, string, error) {
	var email, name, lang string
	err := p.db.QueryRow(ctx, `SELECT email, display_name, lang FROM users WHERE id = ?`, id).Scan(&email, &name, &lang)
	return email, name, lang, store.NotFound(err, "err.user_not_found")
}

// env is a territory "lyon" and a neighbour "paris", members with each
// role, two listings, and the service under test writing mail to the
// outbox table.
type env struct {
	db         *store.DB
	svc        *Service
	outbox     *mail.Outbox
	ter, other *territory.Territory
	clock      *clock
	// alice owns listing 1 ("Perceuse") and 2; bob and carol are members;
	// mod moderates lyon; otherMod moderates paris.
	anon, alice, bob, carol, mod, otherMod access.Actor
}

const (
	drill = int64(1) // alice's listing
	sofa  = int64(2) // alice's listing
	bike  = int64(3) // bob's listing
)

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{db: db, clock: &clock{t: time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)}}
	ters := territory.NewService(territory.NewSQLStore(db))
	e.ter = &territory.Territory{Slug: "lyon", Name: "Lyon", BBox: geo.BBox{MinLon: 4.77, MinLat: 45.70, MaxLon: 4.90, MaxLat: 45.81}}
	e.other = &territory.Territory{Slug: "paris", Name: "Paris", BBox: geo.BBox{MinLon: 2.22, MinLat: 48.81, MaxLon: 2.47, MaxLat: 48.91}}
	for _, ter := range []*territory.Territory{e.ter, e.other} {
		if err := ters.Create(ctx, access.SystemActor(), ter); err != nil {
			t.Fatalf("create territory: %v", err)
		}
	}
	users := []struct{ name, lang string }{{"Alice", "fr"}, {"Bob", "en"}, {"Carol", "fr"}, {"Modeste", "fr"}, {"Paul", "fr"}}
	for i, u := range users {
		var id int64
		if err := db.QueryRowW(ctx, `INSERT INTO users (email, display_name, lang, password_hash, created_at)
			VALUES (?, ?, ?, 'x', ?) RETURNING id`, fmt.Sprintf("%s@example.org", u.name), u.name, u.lang, e.clock.now()).Scan(&id); err != nil || id != int64(i+1) {
			t.Fatalf("user %d: id %d, %v", i+1, id, err)
		}
	}
	in := func(id int64, ter *territory.Territory, r access.Role) access.Actor {
		return access.Actor{UserID: id, Roles: map[int64]access.Role{ter.ID: r}}
	}
	e.alice, e.bob, e.carol = in(1, e.ter, access.Member), in(2, e.ter, access.Member), in(3, e.ter, access.Member)
	e.mod, e.otherMod = in(4, e.ter, access.Moderator), in(5, e.other, access.Moderator)
	e.outbox = mail.NewOutbox(db, nil, e.clock.now)
	e.svc = NewService(NewSQLStore(db), people{db}, ters, e.outbox, slog.New(slog.DiscardHandler), e.clock.now,
		Options{BaseURL: "https://partage.example.org/"})
	e.svc.RegisterSubject("listing", listings{
		drill: {"Perceuse", 1}, sofa: {"Canapé", 1}, bike: {"Vélo", 2},
	})
	return e
}

// write sends a message about a listing and fails the test on error.
func (e *env) write(t testing.TB, from access.Actor, listing int64, body string) *Message {
	t.Helper()
	m, err := e.svc.SendAbout(context.Background(), from, e.ter, "listing", listing, body)
	if err != nil {
		t.Fatalf("%d writes about %d: %v", from.UserID, listing, err)
	}
	return m
}

func (e *env) unread(t testing.TB, a access.Actor) int {
	t.Helper()
	n, err := e.svc.UnreadCount(context.Background(), a, e.ter)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mails returns what the outbox holds for an address, newest first.
func (e *env) mails(t testing.TB, to string) []mail.Stored {
	t.Helper()
	got, err := e.outbox.List(context.Background(), to, 0)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// ok is the expected outcome "allowed"; any other value is the error kind.
const ok = errs.Kind(-1)

func kindOf(err error) errs.Kind {
	if err == nil {
		return ok
	}
	return errs.KindOf(err)
}
