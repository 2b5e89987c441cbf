package mobility

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/ledger"
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

// env: territory "lyon" (Europe/Paris), members and the service under test.
type env struct {
	db      *store.DB
	svc     *Service
	ter     *territory.Territory
	clock   *clock
	driver  access.Actor
	members int
}

var lyonBox = geo.BBox{MinLon: 4.70, MinLat: 45.60, MaxLon: 5.10, MaxLat: 45.90}

// Places in and around Lyon.
var (
	bellecour   = Place{Lat: 45.7578, Lon: 4.8320, Label: "12 place Bellecour, Lyon"}
	villeurb    = Place{Lat: 45.7719, Lon: 4.8902, Label: "3 bis avenue Henri Barbusse, Villeurbanne"}
	vaulxEnVel  = Place{Lat: 45.7786, Lon: 4.9211, Label: "Vaulx-en-Velin"}
	paris       = Place{Lat: 48.85, Lon: 2.35, Label: "Paris"}
	parisPlace  = geo.Point{Lat: 48.85, Lon: 2.35}
	noWhere     = Place{}
	defaultTrip = func(e *env) *Trip {
		d := e.clock.now().Add(48 * time.Hour)
		return &Trip{From: bellecour, To: vaulxEnVel, Departure: &d, Seats: 3, AutoAccept: true}
	}
)

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	// Friday 20 March 2026, 10:00 in Lyon.
	e := &env{db: db, clock: &clock{t: time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)}}
	ts := territory.NewService(territory.NewSQLStore(db))
	e.ter = &territory.Territory{Slug: "lyon", Name: "Lyon", BBox: lyonBox, TimeZone: "Europe/Paris"}
	if err := ts.Create(ctx, access.SystemActor(), e.ter); err != nil {
		t.Fatalf("create territory: %v", err)
	}
	e.svc = NewService(NewSQLStore(db), ts, nil, slog.New(slog.DiscardHandler), e.clock.now, Options{})
	e.driver = e.member(t)
	return e
}

// withLedger gives the service a mail outbox, accounts and a ledger, for
// contributions in units.
func (e *env) withLedger(db *store.DB) (*account.Service, *mail.Outbox) {
	log := slog.New(slog.DiscardHandler)
	outbox := mail.NewOutbox(db, log, e.clock.now)
	accounts := account.NewService(db, outbox, log, e.clock.now, account.Options{BaseURL: "http://test.local", Hash: account.TestHashParams})
	ts := territory.NewService(territory.NewSQLStore(db))
	led := ledger.NewService(ledger.NewSQLStore(db), accounts, ts, log, e.clock.now)
	e.svc = NewService(NewSQLStore(db), ts, nil, log, e.clock.now, Options{BaseURL: "http://test.local", Mail: outbox, People: accounts, Ledger: led})
	return accounts, outbox
}

// member creates a verified member of Lyon.
func (e *env) member(t testing.TB) access.Actor {
	t.Helper()
	e.members++
	email := fmt.Sprintf("u%d@example.org", e.members)
	var id int64
	if err := e.db.QueryRowW(context.Background(), `INSERT INTO users (email, display_name, password_hash, email_verified, created_at)
		VALUES (?, ?, 'x', ?, ?) RETURNING id`, email, fmt.Sprintf("Membre %d", e.members), true, e.clock.now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return access.Actor{UserID: id, Email: email, Verified: true, Roles: map[int64]access.Role{e.ter.ID: access.Member}}
}

func (e *env) publish(t testing.TB, tr *Trip) *Trip {
	t.Helper()
	if err := e.svc.Publish(context.Background(), e.driver, e.ter, tr); err != nil {
		t.Fatalf("publish: %v", err)
	}
	return tr
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

func local(y int, m time.Month, d, h, min int) time.Time {
	loc, _ := time.LoadLocation("Europe/Paris")
	return time.Date(y, m, d, h, min, 0, 0, loc)
}
