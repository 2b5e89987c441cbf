package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/i18n"
	"github.com/sharingcity/sharingcity/internal/ledger"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/messages"
	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/offers"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// testEnv is a whole server on a real database, reached over HTTP.
type testEnv struct {
	t           *testing.T
	db          *store.DB
	srv         *Server
	ts          *httptest.Server
	territories *territory.Service
	accounts    *account.Service
	directory   *directory.Service
	offers      *offers.Service
	booking     *booking.Service
	mobility    *mobility.Service
	ledger      *ledger.Service
	messages    *messages.Service
	outbox      *mail.Outbox
	ter         *territory.Territory
}

// testBBox is a box around Grenoble, the test territory's boundary.
var testBBox = geo.BBox{MinLon: 5.67, MinLat: 45.15, MaxLon: 5.76, MaxLat: 45.22}

func newTestEnv(t *testing.T, db *store.DB) *testEnv {
	t.Helper()
	if db == nil {
		db = storetest.OpenSQLite(t)
	}
	log := slog.New(slog.DiscardHandler)
	outbox := mail.NewOutbox(db, log, time.Now)
	territories := territory.NewService(territory.NewSQLStore(db))
	accounts := account.NewService(db, outbox, log, time.Now, account.Options{BaseURL: "http://test.local", Hash: account.TestHashParams})
	dir := directory.NewService(directory.NewSQLStore(db), territories, accounts, log, time.Now)
	msgs := messages.NewService(messages.NewSQLStore(db), accounts, territories, outbox, log, time.Now, messages.Options{BaseURL: "http://test.local"})
	led := ledger.NewService(ledger.NewSQLStore(db), accounts, territories, log, time.Now)
	// A member's deletion closes their ledger accounts, or is refused while one holds a balance.
	accounts.OnDelete(led.Leave)
	off, err := offers.NewService(offers.NewSQLStore(db), []byte("test secret, 32 bytes long......"), msgs, led.Payer(), log, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	msgs.RegisterSubject("listing", off)
	mob := mobility.NewService(mobility.NewSQLStore(db), territories, nil, log, time.Now, mobility.Options{FeedSecret: []byte("test feed secret"), Orgs: accounts, Users: accounts})
	msgs.RegisterSubject("trip", mob)
	book := booking.NewService(booking.NewSQLStore(db), accounts, accounts, territories, outbox, nil, log, time.Now, booking.Options{BaseURL: "http://test.local"})
	photos, err := media.NewDiskStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Version: "test", LoginPerMinute: 1000, PostPerMinute: 1000}, Deps{
		DB: db, Log: log, I18n: i18n.MustLoad(), Territories: territories, Accounts: accounts,
		Directory: dir, Offers: off, Ledger: led, Messages: msgs, Booking: book, Mobility: mob, RDEX: rdex.NewService(rdex.NewSQLStore(db)), RDEXPartners: rdex.NewPartners(rdex.NewSQLStore(db)), Media: media.NewProcessor(photos, media.Options{}), Outbox: outbox,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	ter := &territory.Territory{Slug: "test", Name: "Testville", BBox: testBBox}
	if err := territories.Create(context.Background(), access.SystemActor(), ter); err != nil {
		t.Fatal(err)
	}
	return &testEnv{t: t, db: db, srv: srv, ts: ts, territories: territories, accounts: accounts, directory: dir, offers: off, ledger: led, booking: book, mobility: mob, messages: msgs, outbox: outbox, ter: ter}
}

// client is a browser-like client with its own cookies that does not follow redirects.
func (e *testEnv) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// member creates a verified user with role in the test territory (none
// when role is empty) and returns a client logged in as them and an API token.
func (e *testEnv) member(email string, role access.Role) (*http.Client, string) {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.accounts.CreateUser(ctx, access.SystemActor(), email, "correct horse battery", true)
	if err != nil {
		e.t.Fatalf("create %s: %v", email, err)
	}
	if role != "" {
		if err := e.accounts.Grant(ctx, access.SystemActor(), e.ter.ID, email, role); err != nil {
			e.t.Fatalf("grant %s: %v", email, err)
		}
	}
	c := e.client()
	resp := e.form(c, "/login", url.Values{"email": {email}, "password": {"correct horse battery"}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d: %s", email, resp.StatusCode, readBody(resp))
	}
	resp.Body.Close()
	tok, err := e.accounts.CreateToken(ctx, access.SystemActor(), u.ID, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return c, tok
}

func (e *testEnv) form(c *http.Client, path string, v url.Values) *http.Response {
	e.t.Helper()
	resp, err := c.PostForm(e.ts.URL+path, v)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

func (e *testEnv) get(c *http.Client, path string, headers ...string) *http.Response {
	e.t.Helper()
	return e.do(c, "GET", path, "", nil, headers...)
}

// do sends a request; body is JSON-encoded unless it is a string.
func (e *testEnv) do(c *http.Client, method, path, token string, body any, headers ...string) *http.Response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if c == nil {
		c = e.client()
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

func readBody(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func decode[T any](t *testing.T, resp *http.Response) T {
	t.Helper()
	defer resp.Body.Close()
	var v T
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", resp.Request.URL, err)
	}
	return v
}
