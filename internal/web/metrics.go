package web

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	// Label lookups hash their values on every call; routes and statuses
	// are few, so the resolved series are kept.
	mu       sync.RWMutex
	counters map[routeCode]prometheus.Counter
	timers   map[string]prometheus.Observer
}

type routeCode struct {
	route string
	code  int
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sharingcity_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "sharingcity_http_request_duration_seconds", Help: "HTTP request duration by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
	}
	m.counters = map[routeCode]prometheus.Counter{}
	m.timers = map[string]prometheus.Observer{}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	if status == 0 {
		status = 200
	}
	key := routeCode{route, status}
	m.mu.RLock()
	c, okC := m.counters[key]
	o, okO := m.timers[route]
	m.mu.RUnlock()
	if !okC || !okO {
		m.mu.Lock()
		if c, okC = m.counters[key]; !okC {
			c = m.requests.WithLabelValues(route, strconv.Itoa(status))
			m.counters[key] = c
		}
		if o, okO = m.timers[route]; !okO {
			o = m.duration.WithLabelValues(route)
			m.timers[route] = o
		}
		m.mu.Unlock()
	}
	c.Inc()
	o.Observe(d.Seconds())
}
