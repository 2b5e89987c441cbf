package offers

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
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

// blocks is a fake of the messages module's blocks.
type blocks struct {
	mu    sync.Mutex
	pairs map[[2]int64]bool
}

func (b *blocks) Blocked(_ context.Context, x, y int64) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pairs[[2]int64{x, y}] || b.pairs[[2]int64{y, x}], nil
}

// payer records the exchanges it was asked to pay.
type payer struct {
	mu   sync.Mutex
	paid []int64
	fail bool
}

func (p *payer) PayForExchange(_ context.Context, ex *Exchange) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return fmt.Errorf("ledger down")
	}
	p.paid = append(p.paid, ex.ID)
	ex.Payment = &PaymentRef{TransferID: fmt.Sprintf("t-%d", ex.ID)}
	return nil
}

var testSecret = []byte("0123456789abcdef-test-secret")

// env is a territory "lyon" with a neighbour "paris", users of every role
// and the service under test, logging into logs.
type env struct {
	db         *store.DB
	svc        *Service
	ter, other *territory.Territory
	clock      *clock
	blocks     *blocks
	payer      *payer
	logs       *bytes.Buffer
	// actors
	anon, owner, member, member2, moderator, otherModerator, admin, platform access.Actor
}

var lyonBox = geo.BBox{MinLon: 4.77, MinLat: 45.70, MaxLon: 4.90, MaxLat: 45.81}

// lockedBuffer lets concurrent log writes share a buffer.
type lockedBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{db: db, clock: &clock{t: time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)},
		blocks: &blocks{pairs: map[[2]int64]bool{}}, payer: &payer{}, logs: &bytes.Buffer{}}
	ts := territory.NewService(territory.NewSQLStore(db))
	e.ter = &territory.Territory{Slug: "lyon", Name: "Lyon", BBox: lyonBox}
	e.other = &territory.Territory{Slug: "paris", Name: "Paris", BBox: geo.BBox{MinLon: 2.22, MinLat: 48.81, MaxLon: 2.47, MaxLat: 48.91}}
	for _, ter := range []*territory.Territory{e.ter, e.other} {
		if err := ts.Create(ctx, access.SystemActor(), ter); err != nil {
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
	in := func(id int64, ter *territory.Territory, r access.Role) access.Actor {
		return access.Actor{UserID: id, Roles: map[int64]access.Role{ter.ID: r}}
	}
	e.owner = in(1, e.ter, access.Member)
	e.member = in(2, e.ter, access.Member)
	e.member2 = in(3, e.ter, access.Member)
	e.moderator = in(4, e.ter, access.Moderator)
	e.otherModerator = in(5, e.other, access.Moderator)
	e.admin = in(6, e.ter, access.Admin)
	e.platform = access.Actor{UserID: 7, PlatformAdmin: true}
	log := slog.New(slog.NewTextHandler(&lockedBuffer{b: e.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc, err := NewService(NewSQLStore(db), testSecret, e.blocks, e.payer, log, e.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	return e
}

// sample returns a valid gift of one drill at a position inside Lyon.
func sample(title string, lat, lon float64) *Listing {
	return &Listing{Kind: KindOffer, Mode: ModeGive, Title: title, Description: "En bon état, avec ses mèches.",
		Category: "goods_tools", Condition: ConditionGood, ExactPosition: &geo.Point{Lat: lat, Lon: lon}}
}

// create publishes l as actor, failing the test on error.
func (e *env) create(t testing.TB, actor access.Actor, l *Listing) *Listing {
	t.Helper()
	if err := e.svc.Create(context.Background(), actor, e.ter, l); err != nil {
		t.Fatalf("create %q: %v", l.Title, err)
	}
	return l
}

// ok is the expected outcome "allowed"; any other value is the error kind.
const ok = errs.Kind(-1)

func kindOf(err error) errs.Kind {
	if err == nil {
		return ok
	}
	return errs.KindOf(err)
}

func keyOf(err error) string {
	if e, ok := errs.As(err); ok {
		return e.Key
	}
	return ""
}

func fieldKey(err error, field string) string {
	if e, ok := errs.As(err); ok {
		for _, f := range e.Fields {
			if f.Field == field {
				return f.Key
			}
		}
	}
	return ""
}

// as returns a member of the territory with user id id.
func (e *env) as(id int64) access.Actor {
	return access.Actor{UserID: id, Roles: map[int64]access.Role{e.ter.ID: access.Member}}
}

// forgetFrequencies empties the store's memory of frequent words, for
// tests that change frequentPostings, and its words' sets (a kept set
// makes its words frequent, see wordsMatch).
func (e *env) forgetFrequencies() {
	f := e.svc.store.(*SQLStore).frequent
	f.mu.Lock()
	clear(f.m)
	f.mu.Unlock()
	e.dropWordSets()
}

// dropWordSets empties the store's kept word sets (not their counters).
func (e *env) dropWordSets() {
	e.svc.store.(*SQLStore).words.sets.Purge()
}
