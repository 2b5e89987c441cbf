package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestSessionCoarseRefresh: a signed-in request within the minute writes
// nothing (no row change, no cookie); past it the deadline moves to
// now + idle; a session idle longer than sessionIdle is signed out even
// inside its lifetime; logging out destroys the row, so the old cookie no
// longer signs in.
func TestSessionCoarseRefresh(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		row := func() (data []byte) {
			t.Helper()
			if err := db.QueryRow(ctx, `SELECT data FROM sessions`).Scan(&data); err != nil {
				t.Fatal(err)
			}
			return data
		}
		me := func(c *http.Client) (int, bool) {
			t.Helper()
			resp := e.get(c, "/api/v1/me")
			readBody(resp)
			return resp.StatusCode, resp.Header.Get("Set-Cookie") != ""
		}
		real := time.Now
		var shift time.Duration
		e.srv.sessionNow = func() time.Time { return real().Add(shift) }

		c, _ := e.member("session@example.org", access.Member)
		readBody(e.get(c, "/account")) // shows and drops the welcome message: a write
		if got := e.srv.sessions; got.IdleTimeout != 0 {
			t.Fatal("scs's IdleTimeout is on: every request writes")
		}
		before := row()
		for range 3 {
			if code, cookie := me(c); code != http.StatusOK || cookie {
				t.Fatalf("signed-in request: %d, cookie sent %v", code, cookie)
			}
		}
		if string(row()) != string(before) {
			t.Fatal("the session was written within the minute")
		}
		shift = 2 * time.Minute
		if code, cookie := me(c); code != http.StatusOK || !cookie {
			t.Fatalf("after two minutes: %d, cookie sent %v", code, cookie)
		}
		if string(row()) == string(before) {
			t.Fatal("the deadline did not move after two minutes")
		}
		saved := c.Jar.Cookies(mustURL(t, e.ts.URL))
		readBody(e.form(c, "/logout", nil))
		if code, _ := me(c); code != http.StatusUnauthorized {
			t.Fatalf("after logout: %d", code)
		}
		old := e.client()
		old.Jar.SetCookies(mustURL(t, e.ts.URL), saved)
		if code, _ := me(old); code != http.StatusUnauthorized {
			t.Fatalf("the old cookie after logout: %d", code)
		}

		// Signed in eight days ago, then idle: the session expired,
		// although its lifetime (30 days) has not passed.
		shift = -8 * 24 * time.Hour
		c, _ = e.member("idle@example.org", access.Member)
		shift = 0
		if code, _ := me(c); code != http.StatusUnauthorized {
			t.Fatalf("idle for eight days: %d", code)
		}
		// Six days: still signed in, and the deadline moves.
		shift = -6 * 24 * time.Hour
		c, _ = e.member("active@example.org", access.Member)
		shift = 0
		if code, cookie := me(c); code != http.StatusOK || !cookie {
			t.Fatalf("idle for six days: %d, cookie sent %v", code, cookie)
		}
	})
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
