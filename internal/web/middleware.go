package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/i18n"
)

type ctxKey int

const (
	ctxRequestID ctxKey = iota
	ctxActor
	ctxUser
	ctxLang
)

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// outer wraps every request: request id, recovery, security headers, access
// log and metrics. It is cheap enough for the hottest endpoint.
func (s *Server) outer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		h := w.Header()
		// Assigned, not Set: the names are already canonical and the values
		// shared, so the hottest endpoint pays no allocation for them.
		h["X-Request-Id"] = []string{id}
		h["X-Content-Type-Options"] = hdrNosniff
		if isAPIData(r.URL.Path) {
			// Data, never a document: no frame, script or link of its
			// own for the page policies to govern. With Vary, the
			// Content-Type and Content-Length of a JSON answer that makes
			// six headers (seven over TLS), under the eight a map holds
			// before it grows: with the page policies they were nine, and
			// the growth cost 700 bytes a "near me".
			h["Content-Security-Policy"] = hdrCSPAPI
		} else {
			h["Referrer-Policy"] = hdrReferrer
			h["X-Frame-Options"] = hdrFrame
			h["Permissions-Policy"] = hdrPermissions
			h["Content-Security-Policy"] = hdrCSP
		}
		if s.cfg.SecureCookies {
			h["Strict-Transport-Security"] = hdrHSTS
		}
		sw := &statusWriter{ResponseWriter: w}
		ctx := context.WithValue(r.Context(), ctxRequestID, id)
		r = r.WithContext(ctx)
		defer func() {
			if p := recover(); p != nil {
				s.Log.Error("panic", "request_id", id, "panic", p, "path", r.URL.Path)
				if sw.status == 0 {
					s.renderError(sw, r, errs.E(errs.Internal, "err.internal"))
				}
			}
			dur := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if s.metrics != nil {
				s.metrics.observe(route, r.Method, sw.status, dur)
			}
			s.accessLog(ctx, r, route, id, sw, dur)
		}()
		next.ServeHTTP(sw, r)
	})
}

// isAPIData reports whether path is one of the API's answers, which are
// data (JSON, CSV, GeoJSON, photos), not the API's documentation page.
func isAPIData(path string) bool {
	return strings.HasPrefix(path, "/api/v1/") || path == "/api/openapi.json"
}

var (
	hdrNosniff     = []string{"nosniff"}
	hdrReferrer    = []string{"strict-origin-when-cross-origin"}
	hdrFrame       = []string{"DENY"}
	hdrPermissions = []string{"geolocation=(self), camera=(), microphone=()"}
	hdrCSP         = []string{"default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"}
	hdrHSTS        = []string{"max-age=31536000"}
	hdrCSPAPI      = []string{"default-src 'none'; frame-ancestors 'none'"}
)

// mapRoute is the public map endpoint: tens of thousands of answers a second
// from cache, whose successes are logged at debug level only (they would be
// most of the log and a third of the endpoint's cost).
const mapRoute = "GET /api/v1/territories/{slug}/initiatives"

// accessLog writes one line per request. It builds the record itself so
// that slog does not walk the stack for a source position nobody reads.
func (s *Server) accessLog(ctx context.Context, r *http.Request, route, id string, sw *statusWriter, dur time.Duration) {
	if strings.HasPrefix(r.URL.Path, "/static/") || route == "GET /healthz" {
		return
	}
	level := slog.LevelInfo
	if route == mapRoute && sw.status < 400 {
		level = slog.LevelDebug
	}
	h := s.Log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	rec := slog.NewRecord(time.Now(), level, "request", 0)
	rec.AddAttrs(slog.String("request_id", id), slog.String("method", r.Method),
		slog.String("route", route), slog.Int("status", sw.status),
		slog.Int("bytes", sw.bytes), slog.Duration("duration", dur))
	_ = h.Handle(ctx, rec)
}

// withSession loads the session and the acting user (from the session
// cookie or a bearer token) and the language. Public hot paths skip it.
func (s *Server) withSession(next http.Handler) http.Handler {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		actor := access.Actor{}
		var user *account.User
		if tok, ok := bearerToken(r); ok {
			u, err := s.Accounts.UserForToken(ctx, tok)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			a, err := s.Accounts.ActorOf(ctx, u)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			actor, user = a, u
		} else if uid := s.sessions.GetInt64(ctx, "user_id"); uid != 0 {
			// One read of the user serves the actor and the pages.
			u, err := s.Accounts.User(ctx, uid)
			var a access.Actor
			if err == nil {
				a, err = s.Accounts.ActorOf(ctx, u)
			}
			// A deleted or suspended account, or a password changed since
			// the session started, ends the session.
			if err == nil && u.SessionEpoch == s.sessions.GetInt64(ctx, "epoch") {
				actor, user = a, u
				s.refreshSession(ctx)
			} else {
				_ = s.sessions.Destroy(ctx)
			}
		}
		ctx = context.WithValue(ctx, ctxActor, actor)
		ctx = context.WithValue(ctx, ctxUser, user)
		ctx = context.WithValue(ctx, ctxLang, s.pickLang(w, r, user))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
	return s.sessions.LoadAndSave(inner)
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:]), true
	}
	return "", false
}

// pickLang chooses the interface language: an explicit ?lang= (remembered in
// a cookie), the cookie, the member's preference (after Accept-Language for
// the API), the browser, then French.
func (s *Server) pickLang(w http.ResponseWriter, r *http.Request, user *account.User) string {
	if l := r.URL.Query().Get("lang"); i18n.Supported(l) {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && i18n.Supported(c.Value) {
		return c.Value
	}
	// A script asks for its language explicitly; a browser always sends
	// Accept-Language, so on pages the member's own choice comes first.
	if wantsJSON(r) {
		if l := i18n.Match(r.Header.Get("Accept-Language")); l != "" {
			return l
		}
	}
	if user != nil && i18n.Supported(user.Lang) {
		return user.Lang
	}
	if l := i18n.Match(r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	return "fr"
}

func actorFrom(ctx context.Context) access.Actor {
	a, _ := ctx.Value(ctxActor).(access.Actor)
	return a
}

func userFrom(ctx context.Context) *account.User {
	u, _ := ctx.Value(ctxUser).(*account.User)
	return u
}

func langFrom(ctx context.Context) string {
	if l, ok := ctx.Value(ctxLang).(string); ok {
		return l
	}
	return "fr"
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxRequestID).(string)
	return id
}

// clientIP is the peer address; behind a reverse proxy (Config.TrustProxy)
// it is the last address the proxy appended to X-Forwarded-For, which a
// client cannot forge.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
