package web

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiters bound how often one client may try to log in and one member may
// post. They are per instance: behind a load balancer the effective limit is
// multiplied by the number of instances, which still stops brute force.
type limiters struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	login   rate.Limit
	loginN  int
	post    rate.Limit
	postN   int
	now     func() time.Time
	swept   time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiters(loginPerMinute, postPerMinute int, now func() time.Time) *limiters {
	return &limiters{
		buckets: map[string]*bucket{},
		login:   rate.Limit(float64(loginPerMinute) / 60), loginN: loginPerMinute,
		post: rate.Limit(float64(postPerMinute) / 60), postN: postPerMinute,
		now: now,
	}
}

func (l *limiters) allow(key string, r rate.Limit, burst int) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > 10*time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{l: rate.NewLimiter(r, burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.l.AllowN(now, 1)
}

// Login reports whether another login attempt from ip for email may run.
// Both the address alone and the address with the e-mail are limited, so a
// single client cannot spray many accounts either.
func (l *limiters) Login(ip, email string) bool {
	return l.allow("login-ip:"+ip, l.login*3, l.loginN*3) && l.allow("login:"+ip+"|"+email, l.login, l.loginN)
}

// Post reports whether a member (or a client address) may write again.
func (l *limiters) Post(key string) bool { return l.allow("post:"+key, l.post, l.postN) }
