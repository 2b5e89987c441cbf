package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
)

// BenchmarkSignedIn is GET /api/v1/me behind the whole middleware, in
// memory, for a member signed in by a session cookie and by a bearer
// token: what withSession costs a signed-in request.
func BenchmarkSignedIn(b *testing.B) {
	benchEach(b, func(b *testing.B, f *benchFixture) {
		ctx := context.Background()
		email := fmt.Sprintf("bench-%d@example.org", rand.Int64())
		u, err := f.srv.Accounts.CreateUser(ctx, access.SystemActor(), email, "correct horse battery", true)
		if err != nil {
			b.Fatal(err)
		}
		if err := f.srv.Accounts.Grant(ctx, access.SystemActor(), f.ter.ID, email, access.Member); err != nil {
			b.Fatal(err)
		}
		tok, err := f.srv.Accounts.CreateToken(ctx, access.SystemActor(), u.ID, "bench")
		if err != nil {
			b.Fatal(err)
		}
		login := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{
			"email": {email}, "password": {"correct horse battery"}}.Encode()))
		login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, login)
		if rec.Code != http.StatusSeeOther || len(rec.Result().Cookies()) == 0 {
			b.Fatalf("login: %d", rec.Code)
		}
		cookies := rec.Result().Cookies()
		for _, tc := range []struct {
			name string
			set  func(*http.Request)
		}{
			{"session", func(r *http.Request) {
				for _, c := range cookies {
					r.AddCookie(c)
				}
			}},
			{"token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }},
		} {
			b.Run(tc.name, func(b *testing.B) {
				w := &countingWriter{h: http.Header{}}
				timedCalls(b, func(*rand.Rand) error {
					req := httptest.NewRequest("GET", "/api/v1/me", nil)
					tc.set(req)
					clear(w.h)
					w.n, w.code = 0, 0
					f.h.ServeHTTP(w, req)
					if w.code != http.StatusOK || w.n == 0 {
						return fmt.Errorf("status %d, %d bytes", w.code, w.n)
					}
					return nil
				})
			})
		}
	})
}
