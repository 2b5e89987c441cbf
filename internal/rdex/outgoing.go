package rdex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// PartnerSearch is what a resident's search asks partner platforms: two
// points and a window of departures on one day, nothing about who asks.
type PartnerSearch struct {
	TerritoryID int64
	// Drivers asks for drivers' offers (the resident looks for a ride);
	// false asks for passengers' requests.
	Drivers  bool
	From, To Point
	// Day is the local day searched (its date in Location), MinTime and
	// MaxTime the window of departures that day.
	Day              time.Time
	MinTime, MaxTime time.Duration
}

// PartnerJourney is a partner's journey as the search shows it.
type PartnerJourney struct {
	Partner string `json:"partner"` // the name the territory gave the partner
	URL     string `json:"url"`     // the journey's page on the partner's site
	From    string `json:"from"`
	To      string `json:"to"`
	// Departure is the first departure on or after the day searched,
	// local time; absent when the partner's schedule does not say.
	Departure *time.Time `json:"departure,omitempty"`
	Frequency Frequency  `json:"frequency"`
	Seats     int        `json:"seats,omitempty"` // a driver's free seats, or a passenger's party
	Price     *float64   `json:"price,omitempty"` // euros per seat, when the partner gives one
}

// AskerOptions tune the asking of partners.
type AskerOptions struct {
	// Timeout bounds the whole asking (1.5 s by default): the search
	// waits no longer for partners, whatever they do.
	Timeout time.Duration
	// CacheFor keeps a partner's answer to a query (60 s by default).
	CacheFor time.Duration
	// Backoff skips a partner that failed (30 s by default).
	Backoff time.Duration
	Client  *http.Client
	Log     *slog.Logger
	Now     func() time.Time
}

// Asker asks a territory's enabled partners, concurrently, signed as RDEX
// defines, and remembers their answers briefly.
type Asker struct {
	partners interface {
		Enabled(ctx context.Context, territoryID int64) ([]*Partner, error)
	}
	opts AskerOptions

	mu    sync.Mutex
	cache map[string]cached
	down  map[int64]PartnerHealth // partner id: its last failure, until it answers again
}

// PartnerHealth is what this instance last saw of a partner: when and how
// its last asking failed, and until when it is skipped for it. It is kept
// in memory by each instance, until the partner answers again; the zero
// value means no failure since this instance started or since the last
// answer.
type PartnerHealth struct {
	FailedAt  time.Time
	Err       string
	SkipUntil time.Time
}

// Health returns what this instance last saw of the partner with that id.
func (a *Asker) Health(partnerID int64) PartnerHealth {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.down[partnerID]
}

type cached struct {
	journeys []PartnerJourney
	until    time.Time
}

// Bounds: what a partner may send, and keep, per query.
const (
	maxPartnerBody     = 1 << 20
	maxPartnerJourneys = 20
	maxCacheEntries    = 2000
)

// NewAsker returns an asker over the partner service.
func NewAsker(partners *Partners, opts AskerOptions) *Asker {
	if opts.Timeout <= 0 {
		opts.Timeout = 1500 * time.Millisecond
	}
	if opts.CacheFor <= 0 {
		opts.CacheFor = time.Minute
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 30 * time.Second
	}
	if opts.Client == nil {
		// No cookies, no redirects to follow elsewhere: a request carries
		// the query and our key, nothing else.
		opts.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Asker{partners: partners, opts: opts, cache: map[string]cached{}, down: map[int64]PartnerHealth{}}
}

// Start asks the partners in the background and returns the function that
// waits for their answers: call it after the site's own search, which runs
// meanwhile. It never waits past the timeout from Start, and it returns
// the journeys of the partners that answered in time, by partner then
// departure; a partner that fails, hangs or talks nonsense is logged and
// left out.
func (a *Asker) Start(ctx context.Context, s PartnerSearch) func() []PartnerJourney {
	partners, err := a.partners.Enabled(ctx, s.TerritoryID)
	if err != nil {
		a.opts.Log.ErrorContext(ctx, "rdex partners: list", "territory", s.TerritoryID, "err", err)
		return func() []PartnerJourney { return []PartnerJourney{} }
	}
	if len(partners) == 0 {
		return func() []PartnerJourney { return []PartnerJourney{} }
	}
	// Rounded to about 200 m, as the site shows its own trips: the exact
	// door a resident searches from does not leave.
	s.From, s.To = roundPoint(s.From), roundPoint(s.To)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.opts.Timeout)
	results := make([][]PartnerJourney, len(partners))
	var wg sync.WaitGroup
	now := a.opts.Now()
	for i, p := range partners {
		key := cacheKey(p, s)
		a.mu.Lock()
		c, hit := a.cache[key]
		skip := now.Before(a.down[p.ID].SkipUntil)
		a.mu.Unlock()
		if hit && now.Before(c.until) {
			results[i] = c.journeys
			continue
		}
		if skip {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			js, err := a.ask(ctx, p, s)
			a.mu.Lock()
			defer a.mu.Unlock()
			if err != nil {
				if ctx.Err() != nil {
					err = fmt.Errorf("no answer within %v: %w", a.opts.Timeout, err)
				}
				a.opts.Log.WarnContext(ctx, "rdex partners: skipped", "partner", p.Name, "territory", p.TerritoryID,
					"err", err, "elapsed", time.Since(t0).Round(time.Millisecond), "retry_in", a.opts.Backoff)
				failed := a.opts.Now()
				a.down[p.ID] = PartnerHealth{FailedAt: failed, Err: truncateRunes(err.Error(), 300), SkipUntil: failed.Add(a.opts.Backoff)}
				return
			}
			delete(a.down, p.ID)
			if len(a.cache) >= maxCacheEntries {
				clear(a.cache) // a burst of distinct queries: start again
			}
			a.cache[key] = cached{journeys: js, until: a.opts.Now().Add(a.opts.CacheFor)}
			results[i] = js
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return func() []PartnerJourney {
		defer cancel()
		select {
		case <-done:
		case <-ctx.Done():
		}
		a.mu.Lock() // the late goroutines write results under the lock
		defer a.mu.Unlock()
		out := []PartnerJourney{}
		for _, js := range results {
			out = append(out, js...)
		}
		return out
	}
}

func roundPoint(p Point) Point {
	return Point{Lat: math.Round(p.Lat*500) / 500, Lon: math.Round(p.Lon*500) / 500}
}

func cacheKey(p *Partner, s PartnerSearch) string {
	return fmt.Sprintf("%d|%t|%.3f,%.3f|%.3f,%.3f|%s|%d|%d", p.ID, s.Drivers, s.From.Lat, s.From.Lon, s.To.Lat, s.To.Lon,
		s.Day.Format(time.DateOnly), s.MinTime/time.Second, s.MaxTime/time.Second)
}

// SignedURL is the partner's journeys search for s, signed: the parameters
// in a fixed order (timestamp first, as some servers expect), brackets
// percent-encoded, the HMAC of all that appended as signature.
func SignedURL(p *Partner, s PartnerSearch, now time.Time) string {
	flag := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	coord := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	day := Date(s.Day)
	params := [][2]string{
		{"p[driver][state]", flag(s.Drivers)}, {"p[passenger][state]", flag(!s.Drivers)},
		{"p[from][latitude]", coord(s.From.Lat)}, {"p[from][longitude]", coord(s.From.Lon)},
		{"p[to][latitude]", coord(s.To.Lat)}, {"p[to][longitude]", coord(s.To.Lon)},
		{"p[frequency]", string(Both)},
		{"p[outward][mindate]", day}, {"p[outward][maxdate]", day},
		{"p[outward][mintime]", clock(s.MinTime)}, {"p[outward][maxtime]", clock(s.MaxTime)},
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(p.URL, "/") + "/journeys?timestamp=" + strconv.FormatInt(now.Unix(), 10) + "&apikey=" + url.QueryEscape(p.PublicKey))
	for _, kv := range params {
		b.WriteString("&" + url.QueryEscape(kv[0]) + "=" + url.QueryEscape(kv[1]))
	}
	unsigned := b.String()
	return unsigned + "&signature=" + Sign(unsigned, p.PrivateKey)
}

func (a *Asker) ask(ctx context.Context, p *Partner, s PartnerSearch) ([]PartnerJourney, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, SignedURL(p, s, a.opts.Now()), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "sharingcity-rdex/1")
	resp, err := a.opts.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPartnerBody+1))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %.200s", resp.StatusCode, body)
	}
	if len(body) > maxPartnerBody {
		return nil, errors.New("answer larger than 1 MiB")
	}
	var list []struct {
		Journeys *Journey `json:"journeys"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("not RDEX journeys: %w", err)
	}
	loc := s.Day.Location()
	out := []PartnerJourney{}
	for _, item := range list {
		if j := item.Journeys; j != nil && len(out) < maxPartnerJourneys {
			if pj, ok := partnerJourney(p, j, s.Day, loc); ok {
				out = append(out, pj)
			}
		}
	}
	sort.SliceStable(out, func(i, k int) bool {
		di, dk := out[i].Departure, out[k].Departure
		return di != nil && (dk == nil || di.Before(*dk))
	})
	return out, nil
}

// partnerJourney keeps what the page shows of a journey, and only
// journeys whose link is a web page: a partner cannot make us show a
// javascript: or data: link.
func partnerJourney(p *Partner, j *Journey, day time.Time, loc *time.Location) (PartnerJourney, bool) {
	u, err := url.Parse(strings.TrimSpace(j.URL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return PartnerJourney{}, false
	}
	out := PartnerJourney{Partner: p.Name, URL: u.String(), From: placeName(j.From), To: placeName(j.To), Frequency: j.Frequency}
	if out.Frequency != Regular {
		out.Frequency = Punctual
	}
	switch {
	case j.Driver != nil && j.Driver.Seats > 0:
		out.Seats = min(j.Driver.Seats, 99)
	case j.Passenger != nil && j.Passenger.Persons > 0:
		out.Seats = min(j.Passenger.Persons, 99)
	}
	if j.Cost != nil && j.Cost.Fixed != nil && *j.Cost.Fixed >= 0 && *j.Cost.Fixed < 10000 {
		price := math.Round(*j.Cost.Fixed*100) / 100
		out.Price = &price
	}
	out.Departure = firstDeparture(j, day, loc)
	return out, true
}

func placeName(p Place) string {
	s := strings.TrimSpace(p.City)
	if s == "" {
		s = strings.TrimSpace(p.Address)
	}
	return truncateRunes(s, 120)
}

// truncateRunes keeps the first n characters of s, marking a cut with "…":
// a partner's texts (and errors quoting its answers) are shown on pages.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// firstDeparture reads the journey's outward schedule: the first day on or
// after the day searched (within two weeks) that it runs, at that day's
// earliest time.
func firstDeparture(j *Journey, day time.Time, loc *time.Location) *time.Time {
	minDate, err := time.ParseInLocation(time.DateOnly, j.Outward.MinDate, loc)
	if err != nil {
		return nil
	}
	maxDate, err := time.ParseInLocation(time.DateOnly, j.Outward.MaxDate, loc)
	if err != nil {
		maxDate = minDate.AddDate(0, 0, 14)
	}
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	if d.Before(minDate) {
		d = minDate
	}
	for i := 0; i < 14 && !d.After(maxDate); i, d = i+1, d.AddDate(0, 0, 1) {
		dt := j.Outward.day(d.Weekday())
		if dt == nil {
			continue
		}
		t, err := time.Parse(time.TimeOnly, dt.MinTime)
		if err != nil {
			return nil
		}
		at := time.Date(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
		return &at
	}
	return nil
}

// day is the schedule's window of a weekday, nil when it does not run then.
func (s Schedule) day(w time.Weekday) *DayTime {
	return [7]*DayTime{s.Sunday, s.Monday, s.Tuesday, s.Wednesday, s.Thursday, s.Friday, s.Saturday}[w]
}
