package web

import (
	"context"
	"time"
)

// Sessions last sessionLifetime at most and end after sessionIdle without
// a request, as scs's IdleTimeout would do. But scs with an IdleTimeout
// rewrites the session row (and sends a new cookie) on every request, so
// that each signed-in page view was a write, on SQLite through the single
// writer. scs's IdleTimeout is therefore off, and the session's own
// deadline (which scs stores as the row's expiry and the cookie's) is
// moved forward here only when it is more than sessionRefresh behind
// min(start + lifetime, now + idle): a signed-in request writes at most
// once a minute, and an idle session expires within a minute of the same
// time as before.
const (
	sessionLifetime = 30 * 24 * time.Hour
	sessionIdle     = 7 * 24 * time.Hour
	sessionRefresh  = time.Minute
)

// sessionStart is the session value holding its start (Unix seconds).
const sessionStart = "born"

// startSessionDeadline gives a session that signs in its start and a
// deadline sessionIdle away.
func (s *Server) startSessionDeadline(ctx context.Context) {
	now := s.sessionNow()
	s.sessions.Put(ctx, sessionStart, now.Unix())
	s.sessions.SetDeadline(ctx, now.Add(sessionIdle).UTC())
}

// refreshSession moves a stored session's deadline forward (or back, for
// a session stored before this rule) when it is more than sessionRefresh
// off. Sessions not stored yet are left to whoever writes them.
func (s *Server) refreshSession(ctx context.Context) {
	if s.sessions.Token(ctx) == "" {
		return
	}
	now := s.sessionNow()
	deadline := s.sessions.Deadline(ctx)
	start := s.sessions.GetInt64(ctx, sessionStart)
	if start == 0 {
		// Stored before the rule: scs set its deadline to start + lifetime.
		start = deadline.Add(-sessionLifetime).Unix()
		s.sessions.Put(ctx, sessionStart, start)
	}
	want := now.Add(sessionIdle).UTC()
	if end := time.Unix(start, 0).Add(sessionLifetime); end.Before(want) {
		want = end.UTC()
	}
	if d := want.Sub(deadline); d > sessionRefresh || d < -sessionRefresh {
		s.sessions.SetDeadline(ctx, want)
	}
}
