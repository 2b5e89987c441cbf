package account_test

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// clock is an injectable time that tests move forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const base = "https://city.example"

type env struct {
	db     *store.DB
	svc    *account.Service
	outbox *mail.Outbox
	clock  *clock
	ter    int64 // territory "lyon"
	other  int64 // territory "grenoble"
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Date(2025, 5, 1, 8, 0, 0, 123456000, time.UTC)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ob := mail.NewOutbox(db, log, c.Now)
	svc := account.NewService(db, ob, log, c.Now, account.Options{BaseURL: base + "/", Hash: account.TestHashParams})
	ts := territory.NewService(territory.NewSQLStore(db))
	mk := func(slug string, minLon float64) int64 {
		ter := &territory.Territory{Slug: slug, Name: slug, BBox: geo.BBox{MinLon: minLon, MinLat: 45, MaxLon: minLon + 0.2, MaxLat: 45.2}}
		if err := ts.Create(ctx, access.SystemActor(), ter); err != nil {
			t.Fatalf("territory %s: %v", slug, err)
		}
		return ter.ID
	}
	return &env{db: db, svc: svc, outbox: ob, clock: c, ter: mk("lyon", 4.7), other: mk("grenoble", 5.6)}
}

var tokenRE = regexp.MustCompile(`(/verify|/reset)\?token=([A-Za-z0-9_-]+)`)

// lastLink reads the newest mail to addr like its recipient would and
// returns the path and token of the link in it.
func (e *env) lastLink(t *testing.T, addr string) (mail.Stored, string, string) {
	t.Helper()
	ms, err := e.outbox.List(context.Background(), addr, 1)
	if err != nil || len(ms) == 0 {
		t.Fatalf("no mail to %s (%v)", addr, err)
	}
	m := ms[0]
	sub := tokenRE.FindStringSubmatch(m.Body)
	if sub == nil {
		t.Fatalf("no link in mail to %s:\n%s", addr, m.Body)
	}
	return m, sub[1], sub[2]
}

func (e *env) mailCount(t *testing.T, addr string) int {
	t.Helper()
	ms, err := e.outbox.List(context.Background(), addr, 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

// user creates a verified account through the CLI path and returns its actor.
func (e *env) user(t *testing.T, email string) (*account.User, access.Actor) {
	t.Helper()
	u, err := e.svc.CreateUser(context.Background(), access.SystemActor(), email, "correct horse battery", true)
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u, e.actor(t, u.ID)
}

// withRole creates a user holding role in territory tid.
func (e *env) withRole(t *testing.T, email string, tid int64, role access.Role) access.Actor {
	t.Helper()
	u, _ := e.user(t, email)
	if err := e.svc.Grant(context.Background(), access.SystemActor(), tid, email, role); err != nil {
		t.Fatalf("grant %s to %s: %v", role, email, err)
	}
	return e.actor(t, u.ID)
}

func (e *env) actor(t *testing.T, id int64) access.Actor {
	t.Helper()
	a, err := e.svc.ActorFor(context.Background(), id)
	if err != nil {
		t.Fatalf("actor %d: %v", id, err)
	}
	return a
}

// wantErr checks the kind and, when key is not empty, the message key.
func wantErr(t *testing.T, err error, kind errs.Kind, key string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Kind != kind || (key != "" && e.Key != key) {
		t.Fatalf("want %s %q, got %v", kind, key, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
