package web

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sharingcity/sharingcity/bench/citygen"
	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/i18n"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
	"github.com/sharingcity/sharingcity/internal/threadstat"
)

// The benchmarks run the whole server (middleware, mux, handler, services,
// database) on a city of benchSize published initiatives. Loading it takes
// a while, so it is built once per dialect and process and shared by every
// benchmark (storetest.EachB would give each benchmark a fresh database);
// TestMain drops it.

const benchSize = 100_000

// benchFixture is a loaded city and a server over it.
type benchFixture struct {
	db   *store.DB
	srv  *Server
	ter  *territory.Territory
	h    http.Handler
	drop func()
}

var benchFixtures struct {
	mu   sync.Mutex
	byDB map[string]*benchFixture
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range benchFixtures.byDB {
		f.drop()
	}
	os.Exit(code)
}

// benchEach runs fn on the shared city of each dialect, as sub-benchmarks
// "sqlite" and "postgres" (skipped without SHARINGCITY_TEST_POSTGRES).
func benchEach(b *testing.B, fn func(b *testing.B, f *benchFixture)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			if dialect == "postgres" && os.Getenv(storetest.EnvPostgres) == "" {
				b.Skipf("%s is not set", storetest.EnvPostgres)
			}
			fn(b, fixture(b, dialect))
		})
	}
}

func fixture(b *testing.B, dialect string) *benchFixture {
	benchFixtures.mu.Lock()
	defer benchFixtures.mu.Unlock()
	if benchFixtures.byDB == nil {
		benchFixtures.byDB = map[string]*benchFixture{}
	}
	f := benchFixtures.byDB[dialect]
	if f == nil {
		f = buildFixture(b, dialect)
		benchFixtures.byDB[dialect] = f
	}
	return f
}

// envBenchKeep names a city kept between runs (SHARINGCITY_BENCH_KEEP=v1:
// the SQLite file /tmp/sharingcity-webbench-v1/bench.db and the PostgreSQL
// schema bench_web_keep_v1), so that a benchmark run does not load it
// again; change the name when the generator changes. Migrations added
// since are applied to it. Drop it by hand.
const envBenchKeep = "SHARINGCITY_BENCH_KEEP"

// openBenchDB opens an empty database of dialect that outlives the
// benchmark that asked for it, or the kept one (see envBenchKeep).
func openBenchDB(b *testing.B, dialect string) (*store.DB, func()) {
	ctx := context.Background()
	keep := os.Getenv(envBenchKeep)
	if dialect == "sqlite" {
		dir, err := os.MkdirTemp("", "sharingcity-webbench-")
		if keep != "" {
			dir = filepath.Join(os.TempDir(), "sharingcity-webbench-"+keep)
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			b.Fatal(err)
		}
		if keep != "" {
			db, err := store.Open(ctx, filepath.Join(dir, "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			return db, func() { db.Close() }
		}
		db, err := store.Open(ctx, filepath.Join(dir, "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		return db, func() { db.Close(); os.RemoveAll(dir) }
	}
	base := os.Getenv(storetest.EnvPostgres)
	schema := fmt.Sprintf("bench_web_%d", time.Now().UnixNano())
	if keep != "" {
		schema = "bench_web_keep_" + keep
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA IF NOT EXISTS " + schema); err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	db, err := store.Open(ctx, u.String())
	if err != nil {
		b.Fatal(err)
	}
	if keep != "" {
		return db, func() { db.Close(); admin.Close() }
	}
	return db, func() {
		db.Close()
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	}
}

// buildFixture loads the generated city (bench/citygen, the rows
// bench/map_load.sh imports) and builds a server over it.
func buildFixture(b *testing.B, dialect string) *benchFixture {
	ctx := context.Background()
	start := time.Now()
	db, drop := openBenchDB(b, dialect)
	fail := func(err error) {
		drop()
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		fail(err)
	}
	// Requests are logged as in production, into io.Discard: formatting
	// counts, the terminal does not.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	outbox := mail.NewOutbox(db, log, time.Now)
	territories := territory.NewService(territory.NewSQLStore(db))
	accounts := account.NewService(db, outbox, log, time.Now, account.Options{BaseURL: "http://bench.local", Hash: account.TestHashParams})
	dir := directory.NewService(directory.NewSQLStore(db), territories, accounts, slog.New(slog.DiscardHandler), time.Now)
	ter, err := territories.Get(ctx, "metro")
	if err == nil { // a kept city (see envBenchKeep)
		b.Logf("%s: kept city", dialect)
		if err := vacuumKept(ctx, db); err != nil {
			fail(err)
		}
	} else if err = loadCity(ctx, db, territories); err != nil {
		fail(err)
	}
	srv, err := New(Config{Version: "bench"}, Deps{
		DB: db, Log: log, I18n: i18n.MustLoad(), Territories: territories, Accounts: accounts,
		Directory: dir, Outbox: outbox, Registry: prometheus.NewRegistry(),
	})
	if err != nil {
		fail(err)
	}
	// The territory as the server sees it, with its current data version.
	if ter, err = territories.Get(ctx, "metro"); err != nil {
		fail(err)
	}
	// Steady state: the "near me" index of this data version is built (the
	// first request after a change starts its build in the background and
	// is answered by the database meanwhile).
	dir.PrepareNear(ctx, ter)
	b.Logf("%s: %d initiatives ready in %v", dialect, benchSize, time.Since(start).Round(time.Millisecond))
	return &benchFixture{db: db, srv: srv, ter: ter, h: srv.Handler(), drop: drop}
}

// loadCity creates the territory "metro" and loads the generated city
// into it.
func loadCity(ctx context.Context, db *store.DB, territories *territory.Service) error {
	ter := &territory.Territory{Slug: "metro", Name: "Métropole", BBox: citygen.Box}
	if err := territories.Create(ctx, access.SystemActor(), ter); err != nil {
		return err
	}
	// Straight into the store, one transaction per batch: the service's
	// Import (what `sharingcity import` and bench/map_load.sh use) looks
	// every row up for duplicates and writes a revision, which takes about
	// a minute and a half here for data that is known to be new and valid.
	st := directory.NewSQLStore(db)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 5000
	items := make([]*directory.Initiative, 0, batch)
	flush := func() error {
		err := st.WithTx(ctx, func(tx directory.Store) error {
			for _, in := range items {
				if err := tx.Insert(ctx, in); err != nil {
					return err
				}
			}
			return nil
		})
		items = items[:0]
		return err
	}
	err := citygen.Rows(benchSize, func(r citygen.Row) error {
		items = append(items, &directory.Initiative{
			TerritoryID: ter.ID, Name: r.Name, Summary: r.Summary, Categories: r.Categories, Kind: directory.Kind(r.Kind),
			Position: geo.Point{Lat: r.Lat, Lon: r.Lon}, SourceKey: r.ID, Status: directory.StatusPublished,
			CreatedAt: now, UpdatedAt: now, Revision: 1,
		})
		if len(items) == batch {
			return flush()
		}
		return nil
	})
	if err == nil && len(items) > 0 {
		err = flush()
	}
	if err == nil {
		// On PostgreSQL, the steady state of a read-mostly table under
		// autovacuum (which the test server runs without): hint bits set
		// and pages all-visible, so that reads do not dirty them.
		analyze := "ANALYZE"
		if db.Dialect() == store.Postgres {
			analyze = "VACUUM ANALYZE"
		}
		_, err = db.Exec(ctx, analyze)
	}
	if err == nil && db.Dialect() == store.SQLite {
		// Production never analyses the FTS5 shadow tables; with their
		// sqlite_stat4 rows SQLite prepares FTS5's own statements again
		// for each term (see internal/offers' dropFTSStats).
		_, err = db.Exec(ctx, `DELETE FROM sqlite_stat4 WHERE tbl LIKE 'initiatives\_fts\_%' ESCAPE '\'`)
	}
	return err
}

// vacuumKept vacuums a kept PostgreSQL city whose tables changed since
// their last vacuum (a migration that rebuilt initiative_search, tests of
// other rounds): this server runs without autovacuum, and the dead rows
// and unset hint bits left behind made the rare pair's search read twice
// the pages (p50 5.9 ms instead of 3.8 ms on 26 November, morning). Production's
// autovacuum keeps a read-mostly table so.
func vacuumKept(ctx context.Context, db *store.DB) error {
	if db.Dialect() != store.Postgres {
		return nil
	}
	for _, table := range []string{"initiatives", "initiative_search"} {
		var changed bool
		if err := db.QueryRow(ctx, `SELECT s.n_dead_tup + s.n_ins_since_vacuum > 0 OR c.relallvisible < c.relpages
			FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relid = CAST(? AS regclass)`, table).Scan(&changed); err != nil {
			return fmt.Errorf("vacuum %s: %w", table, err)
		}
		if changed {
			if _, err := db.Exec(ctx, "VACUUM ANALYZE "+table); err != nil {
				return fmt.Errorf("vacuum %s: %w", table, err)
			}
		}
	}
	return nil
}

func bboxParam(box geo.BBox) string {
	return fmt.Sprintf("%.5f,%.5f,%.5f,%.5f", box.MinLon, box.MinLat, box.MaxLon, box.MaxLat)
}

const mapPath = "/api/v1/territories/metro/initiatives"

// cityViewURL is the map request of citygen.Viewport: about 250 features.
var cityViewURL = mapPath + "?bbox=" + bboxParam(citygen.Viewport)

// randomView is a phone-sized viewport somewhere in the city.
func randomView(r *rand.Rand) string {
	lon := citygen.Box.MinLon + r.Float64()*(citygen.Box.MaxLon-citygen.Box.MinLon-0.016)
	lat := citygen.Box.MinLat + r.Float64()*(citygen.Box.MaxLat-citygen.Box.MinLat-0.009)
	return mapPath + "?bbox=" + bboxParam(geo.BBox{MinLon: lon, MinLat: lat, MaxLon: lon + 0.016, MaxLat: lat + 0.0085})
}

// loopback serves h on a loopback port and returns a client for it that
// keeps connections alive and, like wrk, asks for no compression.
func loopback(b *testing.B, h http.Handler) (*httptest.Server, *http.Client) {
	ts := httptest.NewServer(h)
	b.Cleanup(ts.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	return ts, &http.Client{Transport: tr}
}

// fetch returns the response to a GET of path on h, served in memory.
func fetch(b *testing.B, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	b.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// hammer sends GETs of next() to c from parallel goroutines until the
// benchmark is done, checks each status, and reports the latency p50 and p99.
func hammer(b *testing.B, c *http.Client, base string, next func(r *rand.Rand) string, status int, header ...string) {
	var mu sync.Mutex
	var all []time.Duration
	var seed uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		seed++
		r := rand.New(rand.NewPCG(seed, 1))
		mu.Unlock()
		ds := make([]time.Duration, 0, 1024)
		for pb.Next() {
			req, _ := http.NewRequest("GET", base+next(r), nil)
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			t0 := time.Now()
			resp, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			ds = append(ds, time.Since(t0))
			if resp.StatusCode != status {
				b.Errorf("GET %s: status %d, want %d", req.URL, resp.StatusCode, status)
				return
			}
		}
		mu.Lock()
		all = append(all, ds...)
		mu.Unlock()
	})
	b.StopTimer()
	reportLatency(b, all)
}

// reportLatency reports the p50 and p99 of ds in microseconds.
func reportLatency(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds())/1e3, "p99-µs")
}

// bareHandler serves body as the map endpoint would, from memory, with
// nothing else: the yardstick of the map endpoint.
func bareHandler(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/geo+json")
		_, _ = w.Write(body)
	})
}

// BenchmarkMapEndpoint measures GET .../initiatives over loopback HTTP.
// Compare "cached" with BenchmarkBareBytes/*/http: same client, same bytes.
func BenchmarkMapEndpoint(b *testing.B) {
	benchEach(b, func(b *testing.B, f *benchFixture) {
		ts, c := loopback(b, f.h)
		warm := fetch(b, f.h, cityViewURL)
		if warm.Code != http.StatusOK {
			b.Fatalf("warm: %d %s", warm.Code, warm.Body)
		}
		b.Logf("city viewport: %d bytes, %d features", warm.Body.Len(), bytes.Count(warm.Body.Bytes(), []byte(`"Feature"`)))
		etag := warm.Header().Get("ETag")
		same := func(*rand.Rand) string { return cityViewURL }

		b.Run("cached", func(b *testing.B) {
			hammer(b, c, ts.URL, same, http.StatusOK)
			b.ReportMetric(float64(warm.Body.Len()), "bytes/resp")
		})
		b.Run("not-modified", func(b *testing.B) {
			hammer(b, c, ts.URL, same, http.StatusNotModified, "If-None-Match", etag)
		})
		clustered := mapPath + "?zoom=11&bbox=" + bboxParam(citygen.Box)
		b.Run("clustered", func(b *testing.B) {
			hammer(b, c, ts.URL, func(*rand.Rand) string { return clustered }, http.StatusOK)
		})
		// A miss each time: the cache is emptied before each request,
		// outside the timer, and the viewport moves.
		cold := func(b *testing.B, next func(r *rand.Rand) string) {
			r := rand.New(rand.NewPCG(9, 9))
			ds := make([]time.Duration, 0, 1024)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				f.srv.mapCache.purge()
				path := next(r)
				b.StartTimer()
				t0 := time.Now()
				resp, err := c.Get(ts.URL + path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				ds = append(ds, time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", path, resp.StatusCode)
				}
			}
			reportLatency(b, ds)
		}
		b.Run("cold", func(b *testing.B) { cold(b, randomView) })
		b.Run("clustered-cold", func(b *testing.B) { cold(b, func(*rand.Rand) string { return clustered }) })
	})
}

// BenchmarkBareBytes serves the city viewport's bytes from memory with a
// plain handler, through the same loopback client as BenchmarkMapEndpoint
// ("http"); "handler" compares both handlers called directly, without the
// network, which is where the map endpoint's own cost shows.
func BenchmarkBareBytes(b *testing.B) {
	benchEach(b, func(b *testing.B, f *benchFixture) {
		warm := fetch(b, f.h, cityViewURL)
		body := warm.Body.Bytes()
		bare := bareHandler(body)
		b.Run("http", func(b *testing.B) {
			ts, c := loopback(b, bare)
			hammer(b, c, ts.URL, func(*rand.Rand) string { return cityViewURL }, http.StatusOK)
		})
		b.Run("handler/bare", func(b *testing.B) { serveInMemory(b, bare) })
		b.Run("handler/map", func(b *testing.B) { serveInMemory(b, f.h) })
		// The same without s.outer and cross-origin protection: the
		// difference with handler/map is the middleware's cost.
		mux := http.NewServeMux()
		mux.HandleFunc("GET "+mapPath[:len("/api/v1/territories/")]+"{slug}/initiatives", f.srv.apiInitiativesGeoJSON)
		b.Run("handler/map-no-middleware", func(b *testing.B) { serveInMemory(b, mux) })
	})
}

// serveInMemory calls h for the city viewport in parallel goroutines,
// with a response writer that only counts.
func serveInMemory(b *testing.B, h http.Handler) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest("GET", cityViewURL, nil)
		w := &countingWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			w.n, w.code = 0, 0
			h.ServeHTTP(w, req)
			if w.code != http.StatusOK || w.n == 0 {
				b.Errorf("status %d, %d bytes", w.code, w.n)
				return
			}
		}
	})
}

// countingWriter is the cheapest ResponseWriter: what is measured is the
// handler, not the recorder.
type countingWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *countingWriter) Header() http.Header { return w.h }
func (w *countingWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *countingWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(p)
	return len(p), nil
}

// BenchmarkNearMe is "near me" over loopback HTTP: the 20 initiatives
// closest to a random point of the city, one request at a time, so that
// p99 is the latency of a lone phone, not of a queue. "service-near" is
// directory.Service.Near for the same points, without HTTP: the search
// endpoint goes through Service.Search instead.
func BenchmarkNearMe(b *testing.B) {
	point := func(r *rand.Rand) geo.Point {
		return geo.Point{Lat: 45.70 + r.Float64()*0.12, Lon: 4.78 + r.Float64()*0.16}
	}
	benchEach(b, func(b *testing.B, f *benchFixture) {
		ts, c := loopback(b, f.h)
		b.Run("http", func(b *testing.B) {
			sequential(b, c, ts.URL, func(r *rand.Rand) string {
				p := point(r)
				return fmt.Sprintf("/api/v1/territories/metro/search?near=%.5f,%.5f", p.Lat, p.Lon)
			})
		})
		// The handler in memory, behind the whole middleware: its CPU and
		// allocations without loopback and scheduling noise.
		b.Run("handler", func(b *testing.B) {
			w := &countingWriter{h: http.Header{}}
			timedCalls(b, func(r *rand.Rand) error {
				p := point(r)
				req := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/territories/metro/search?near=%.5f,%.5f", p.Lat, p.Lon), nil)
				clear(w.h)
				w.n, w.code = 0, 0
				f.h.ServeHTTP(w, req)
				if w.code != http.StatusOK || w.n == 0 {
					return fmt.Errorf("status %d, %d bytes", w.code, w.n)
				}
				return nil
			})
		})
		b.Run("service-near", func(b *testing.B) {
			timedCalls(b, func(r *rand.Rand) error {
				_, err := f.srv.Directory.Near(context.Background(), f.ter, point(r), directory.DefaultLimit)
				return err
			})
		})
	})
}

// BenchmarkSearchCommonWord is full-text search for the word in half the
// entries, also within one category (the in-memory names tell the count
// from their facets), and for a rare pair of words,
// over loopback HTTP, and the directory service's part of the common
// one. Repeated searches are
// answered by the service's result cache (keyed by the territory's data
// version); the "-uncached" runs empty it before each request, outside the
// timer, to measure the path behind it.
func BenchmarkSearchCommonWord(b *testing.B) {
	const common = "/api/v1/territories/metro/search?q=" + citygen.CommonWord
	const rare = "/api/v1/territories/metro/search?q=grainoth%C3%A8que+croix"
	benchEach(b, func(b *testing.B, f *benchFixture) {
		ts, c := loopback(b, f.h)
		forget := func() { f.srv.Directory.ForgetSearches() }
		for _, run := range []struct {
			name, path string
			before     func()
		}{
			{"common", common, nil},
			{"rare", rare, nil},
			{"common-uncached", common, forget},
			{"rare-uncached", rare, forget},
			{"common-category-uncached", common + "&category=food", forget},
		} {
			b.Run(run.name, func(b *testing.B) {
				sequentialWith(b, c, ts.URL, func(*rand.Rand) string { return run.path }, run.before)
			})
		}
		for _, run := range []struct {
			name   string
			before func()
		}{{"service-common", nil}, {"service-common-uncached", forget}} {
			b.Run(run.name, func(b *testing.B) {
				timedCallsWith(b, func(*rand.Rand) error {
					_, err := f.srv.Directory.Search(context.Background(), f.ter, directory.Query{Text: citygen.CommonWord})
					return err
				}, run.before)
			})
		}
	})
}

// timedCalls runs fn one call at a time and reports the latency p50 and p99.
func timedCalls(b *testing.B, fn func(r *rand.Rand) error) { timedCallsWith(b, fn, nil) }

// timedCallsWith is timedCalls with before (if any) called before each
// call, outside the timer. It also reports the calling thread's CPU time
// a call (p50, p99) and its read system calls: on SQLite, which runs in
// the caller's goroutine, the call's own cost and its page reads from the
// OS, which a loaded machine does not inflate; on PostgreSQL only the
// client's share.
func timedCallsWith(b *testing.B, fn func(r *rand.Rand) error, before func()) {
	r := rand.New(rand.NewPCG(3, 5))
	ds := make([]time.Duration, 0, 1024)
	cpu := make([]time.Duration, 0, 1024)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r0 := threadstat.Reads()
	readsBase, reads := threadstat.Reads()-r0, int64(0)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if before != nil {
			b.StopTimer()
			before()
			b.StartTimer()
		}
		rd := threadstat.Reads()
		c0 := threadstat.CPU()
		t0 := time.Now()
		if err := fn(r); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
		cpu = append(cpu, threadstat.CPU()-c0)
		reads += threadstat.Reads() - rd - readsBase
	}
	reportLatency(b, ds)
	if len(cpu) > 0 {
		sort.Slice(cpu, func(i, j int) bool { return cpu[i] < cpu[j] })
		b.ReportMetric(float64(cpu[len(cpu)/2].Nanoseconds())/1e3, "cpu-p50-µs")
		b.ReportMetric(float64(cpu[len(cpu)*99/100].Nanoseconds())/1e3, "cpu-p99-µs")
		if r0 >= 0 {
			b.ReportMetric(float64(reads)/float64(len(cpu)), "preads/op")
		}
	}
}

func sequential(b *testing.B, c *http.Client, base string, next func(r *rand.Rand) string) {
	sequentialWith(b, c, base, next, nil)
}

// sequentialWith is sequential with before (if any) called before each
// request, outside the timer.
func sequentialWith(b *testing.B, c *http.Client, base string, next func(r *rand.Rand) string, before func()) {
	r := rand.New(rand.NewPCG(3, 5))
	ds := make([]time.Duration, 0, 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if before != nil {
			b.StopTimer()
			before()
			b.StartTimer()
		}
		u := base + next(r)
		t0 := time.Now()
		resp, err := c.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ds = append(ds, time.Since(t0))
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
	}
	reportLatency(b, ds)
}
