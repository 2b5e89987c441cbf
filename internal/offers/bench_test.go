package offers

import (
	"context"
	"database/sql"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Benchmarks run on a territory of benchSize listings around Lyon. The
// dataset takes minutes to load, so it is kept between runs: an SQLite file
// in os.TempDir and a PostgreSQL schema, both named after benchVersion
// (change it when the schema or the generator changes).
//
//	SHARINGCITY_TEST_POSTGRES=... go test -run '^$' -bench NearSearch -benchtime 2000x ./internal/offers/

const (
	benchSize    = 1_000_000
	benchVersion = "offers-bench-v1"
)

var (
	benchBox   = geo.BBox{MinLon: 4.70, MinLat: 45.65, MaxLon: 5.00, MaxLat: 45.85}
	benchNow   = time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	benchWords = []string{"Perceuse", "Vélo", "Escabeau", "Tondeuse", "Livres", "Jeux de société", "Canapé", "Plants de tomates",
		"Cours de guitare", "Aide au déménagement", "Machine à coudre", "Poussette", "Tente", "Raclette", "Scie sauteuse"}
	benchAdjs = []string{"en bon état", "presque neuf", "à récupérer", "pour le week-end", "du quartier", "à partager"}
)

type benchData struct {
	db  *store.DB
	svc *Service
	ter *territory.Territory
}

var bench struct {
	mu   sync.Mutex
	data map[string]*benchData
}

func benchEach(b *testing.B, fn func(b *testing.B, d *benchData)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			bench.mu.Lock()
			defer bench.mu.Unlock()
			if bench.data == nil {
				bench.data = map[string]*benchData{}
			}
			d := bench.data[dialect]
			if d == nil {
				d = openBench(b, dialect)
				bench.data[dialect] = d
			}
			b.ReportAllocs()
			b.ResetTimer()
			fn(b, d)
		})
	}
}

// openBench opens the kept dataset of a dialect, building it when missing.
func openBench(b testing.TB, dialect string) *benchData {
	ctx := context.Background()
	var dsn string
	if dialect == "sqlite" {
		dsn = filepath.Join(os.TempDir(), "sharingcity-"+benchVersion+".db")
	} else {
		base := os.Getenv(storetest.EnvPostgres)
		if base == "" {
			b.Skipf("%s is not set", storetest.EnvPostgres)
		}
		schema := strings.ReplaceAll(benchVersion, "-", "_")
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE SCHEMA IF NOT EXISTS " + schema); err != nil {
			b.Fatal(err)
		}
		u, _ := url.Parse(base)
		q := u.Query()
		q.Set("search_path", schema+",public")
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	ts := territory.NewService(territory.NewSQLStore(db))
	ter, err := ts.Get(ctx, "metro")
	if err != nil {
		ter = &territory.Territory{Slug: "metro", Name: "Métropole", BBox: benchBox}
		if err := ts.Create(ctx, access.SystemActor(), ter); err != nil {
			b.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM listings WHERE territory_id = ?`, ter.ID).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n != benchSize {
		loadBench(b, db, ter, n)
	} else if db.Dialect() == store.SQLite {
		dropFTSStats(b, db) // a dataset kept from before this was done
	} else {
		vacuumBench(b, db)
	}
	svc, err := NewService(NewSQLStore(db), testSecret, nil, nil, slog.New(slog.DiscardHandler), func() time.Time { return benchNow })
	if err != nil {
		b.Fatal(err)
	}
	return &benchData{db: db, svc: svc, ter: ter}
}

// benchListing is a plausible listing: points gather around twelve
// neighbourhood centres, most are offers, they expire within 30 days.
func benchListing(r *rand.Rand, ter int64, i int) *Listing {
	var p geo.Point
	if r.IntN(4) == 0 {
		p = geo.Point{Lat: benchBox.MinLat + r.Float64()*(benchBox.MaxLat-benchBox.MinLat), Lon: benchBox.MinLon + r.Float64()*(benchBox.MaxLon-benchBox.MinLon)}
	} else {
		c := r.IntN(12)
		p = geo.Point{Lat: 45.70 + float64(c%4)*0.035 + r.NormFloat64()*0.01, Lon: 4.78 + float64(c/4)*0.06 + r.NormFloat64()*0.012}
		p.Lat = min(max(p.Lat, benchBox.MinLat), benchBox.MaxLat)
		p.Lon = min(max(p.Lon, benchBox.MinLon), benchBox.MaxLon)
	}
	kind := KindOffer
	if r.IntN(5) == 0 {
		kind = KindRequest
	}
	mode := Modes[r.IntN(len(Modes))]
	created := benchNow.Add(-time.Duration(benchSize-i) * time.Second)
	l := &Listing{TerritoryID: ter, OwnerID: 1, Kind: kind, Mode: mode,
		Title:       benchWords[r.IntN(len(benchWords))] + " " + benchAdjs[r.IntN(len(benchAdjs))],
		Description: "Disponible le soir et le week-end. " + benchWords[r.IntN(len(benchWords))],
		Category:    directory.Categories[r.IntN(len(directory.Categories))], Quantity: 1,
		ExactPosition: &p, Position: approximate(testSecret, int64(i), p), Status: StatusActive,
		ExpiresAt: benchNow.Add(time.Duration(1+r.IntN(30*24)) * time.Hour), CreatedAt: created, UpdatedAt: created}
	if mode == ModeRent {
		l.PriceCents, l.Currency = int64(100*(1+r.IntN(50))), Currency
	}
	return l
}

// loadBench adds listings up to benchSize with multi-row INSERTs in
// transactions of 50,000: row by row through the service would take hours.
func loadBench(b testing.TB, db *store.DB, ter *territory.Territory, have int) {
	ctx := context.Background()
	start := time.Now()
	if have > 0 { // a run was interrupted: start over
		if _, err := db.Exec(ctx, `DELETE FROM listings WHERE territory_id = ?`, ter.ID); err != nil {
			b.Fatal(err)
		}
	}
	var owner int64
	if err := db.QueryRow(ctx, `SELECT id FROM users WHERE email = 'bench@example.org'`).Scan(&owner); err != nil {
		if err := db.QueryRowW(ctx, `INSERT INTO users (email, password_hash, created_at) VALUES (?, 'x', ?) RETURNING id`,
			"bench@example.org", benchNow).Scan(&owner); err != nil {
			b.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(7, 11))
	const batch, txSize, ncols = 400, 50_000, 24
	cols := `territory_id, owner_id, kind, mode, title, description, category, condition, price_cents, currency, wanted,
		availability, quantity, lat, lon, pub_lat, pub_lon, kind_code, mode_code, category_code, status, expires_at, created_at, updated_at`
	row := "(" + store.Placeholders(ncols) + ")"
	for t0 := 0; t0 < benchSize; t0 += txSize {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for i := t0; i < min(t0+txSize, benchSize); i += batch {
				n := min(batch, benchSize-i)
				args := make([]any, 0, n*ncols)
				fts := make([]any, 0, n*4)
				ids := make([]any, 0, n)
				for j := range n {
					l := benchListing(r, ter.ID, i+j)
					l.OwnerID = owner
					args = append(args, l.TerritoryID, l.OwnerID, l.Kind, l.Mode, l.Title, l.Description, l.Category,
						l.Condition, l.PriceCents, l.Currency, l.WantedInReturn, l.Availability, l.Quantity,
						l.ExactPosition.Lat, l.ExactPosition.Lon, l.Position.Lat, l.Position.Lon, kindCodes[l.Kind],
						modeCodes[l.Mode], categoryCodes[l.Category], l.Status, l.ExpiresAt, l.CreatedAt, l.UpdatedAt)
					title, body, facets := ftsColumns(l)
					fts = append(fts, title, body, facets)
				}
				rows, err := tx.Query(ctx, `INSERT INTO listings (`+cols+`) VALUES `+strings.Repeat(row+", ", n-1)+row+` RETURNING id`, args...)
				if err != nil {
					return err
				}
				for rows.Next() {
					var id int64
					if err := rows.Scan(&id); err != nil {
						rows.Close()
						return err
					}
					ids = append(ids, id)
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
				if db.Dialect() == store.SQLite {
					vals := make([]any, 0, n*4)
					for j, id := range ids {
						vals = append(vals, id, fts[3*j], fts[3*j+1], fts[3*j+2])
					}
					row4 := "(" + store.Placeholders(4) + ")"
					if _, err := tx.Exec(ctx, `INSERT INTO listings_fts (rowid, title, body, facets) VALUES `+
						strings.Repeat(row4+", ", len(ids)-1)+row4, vals...); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	if db.Dialect() == store.SQLite {
		dropFTSStats(b, db)
	}
	if db.Dialect() == store.Postgres {
		if _, err := db.Exec(ctx, "VACUUM ANALYZE listings"); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: loaded %d listings in %v", db.Dialect(), benchSize, time.Since(start).Round(time.Second))
}

// vacuumBench vacuums the kept PostgreSQL listings when rows changed since
// the last vacuum (BenchmarkNearSearchEdited, tests of other rounds): this
// server runs without autovacuum, and the near walks are index-only scans,
// which read the heap page of every entry whose page is not all-visible.
// Production's autovacuum keeps a read-mostly table so.
func vacuumBench(b testing.TB, db *store.DB) {
	ctx := context.Background()
	var changed bool
	if err := db.QueryRow(ctx, `SELECT s.n_dead_tup + s.n_ins_since_vacuum > 0 OR c.relallvisible < c.relpages
		FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relid = 'listings'::regclass`).Scan(&changed); err != nil {
		b.Fatal(err)
	}
	if changed {
		if _, err := db.Exec(ctx, "VACUUM ANALYZE listings"); err != nil {
			b.Fatal(err)
		}
	}
}

// dropFTSStats removes what ANALYZE recorded about the FTS5 shadow
// tables. Production never analyses them; with their sqlite_stat4 rows,
// SQLite prepares FTS5's own statements again each time a new term is
// bound (a search with words near a point, which looks a listing up by
// rowid a few hundred times: 139 ms p50 with them, 25 ms without).
func dropFTSStats(b testing.TB, db *store.DB) {
	for _, t := range []string{"sqlite_stat1", "sqlite_stat4"} {
		if _, err := db.Exec(context.Background(), `DELETE FROM `+t+` WHERE tbl LIKE '%\_fts\_%' ESCAPE '\'`); err != nil {
			b.Fatal(err)
		}
	}
}

// timed runs fn b.N times and reports p50 and p99 of the wall time and of
// the calling thread's CPU time (threadCPU: on SQLite the search's own
// cost, which a loaded machine does not inflate; on PostgreSQL only the
// client's share).
func timed(b *testing.B, fn func(r *rand.Rand) (int, error)) { timedAfter(b, nil, fn) }

// timedAfter is timed, with between (if not nil) run untimed before each
// operation.
func timedAfter(b *testing.B, between func(r *rand.Rand) error, fn func(r *rand.Rand) (int, error)) {
	r := rand.New(rand.NewPCG(3, 5))
	ds := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	hits := 0
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// Reads from the OS (SQLite's page misses), less what reading the
	// counter itself costs.
	r0 := threadReads()
	readsBase, reads := threadReads()-r0, int64(0)
	for b.Loop() {
		if between != nil {
			b.StopTimer()
			if err := between(r); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		rd := threadReads()
		c0 := threadCPU()
		t0 := time.Now()
		n, err := fn(r)
		if err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
		cpu = append(cpu, threadCPU()-c0)
		reads += threadReads() - rd - readsBase
		hits += n
	}
	if len(ds) == 0 {
		return
	}
	for _, x := range []struct {
		ds   []time.Duration
		name string
	}{{ds, ""}, {cpu, "cpu-"}} {
		sort.Slice(x.ds, func(i, j int) bool { return x.ds[i] < x.ds[j] })
		b.ReportMetric(float64(x.ds[len(x.ds)/2].Microseconds()), x.name+"p50-µs")
		b.ReportMetric(float64(x.ds[len(x.ds)*99/100].Microseconds()), x.name+"p99-µs")
	}
	b.ReportMetric(float64(hits)/float64(len(ds)), "hits/op")
	if r0 >= 0 {
		b.ReportMetric(float64(reads)/float64(len(ds)), "preads/op")
	}
}

// A member's home somewhere in the city.
func benchPoint(r *rand.Rand) *geo.Point {
	return &geo.Point{Lat: 45.70 + r.Float64()*0.12, Lon: 4.78 + r.Float64()*0.16}
}

// BenchmarkNearSearch: "near me" within 5 km, 20 results by distance, with
// the filters a phone sends (category and mode; plus kind), and without.
func BenchmarkNearSearch(b *testing.B) {
	cases := []struct {
		name string
		q    func(r *rand.Rand) Query
	}{
		{"category+mode", func(r *rand.Rand) Query {
			return Query{Near: benchPoint(r), RadiusM: 5000, Category: directory.Categories[r.IntN(len(directory.Categories))],
				Mode: Modes[r.IntN(len(Modes))]}
		}},
		{"category+mode+kind", func(r *rand.Rand) Query {
			return Query{Near: benchPoint(r), RadiusM: 5000, Category: directory.Categories[r.IntN(len(directory.Categories))],
				Mode: Modes[r.IntN(len(Modes))], Kind: KindOffer}
		}},
		{"mode", func(r *rand.Rand) Query {
			return Query{Near: benchPoint(r), RadiusM: 5000, Mode: Modes[r.IntN(len(Modes))]}
		}},
		{"no-filter", func(r *rand.Rand) Query { return Query{Near: benchPoint(r), RadiusM: 5000} }},
		{"text", func(r *rand.Rand) Query {
			return Query{Near: benchPoint(r), RadiusM: 5000, Text: "perceuse"}
		}},
		// The other filter sets of the issue: a smaller radius, a later
		// page, newest first within the circle (with words too), words with a
		// filter.
		{"category+radius1km", func(r *rand.Rand) Query {
			return Query{Near: benchPoint(r), RadiusM: 1000, Category: directory.Categories[r.IntN(len(directory.Categories))]}
		}},
		{"category+mode+page3", func(r *rand.Rand) Query {
			return Query{Near: benchPoint(r), RadiusM: 5000, Category: directory.Categories[r.IntN(len(directory.Categories))],
				Mode: Modes[r.IntN(len(Modes))], Offset: 40}
		}},
		{"recent+mode+radius2km", func(r *rand.Rand) Query {
			return Query{Near: benchPoint(r), RadiusM: 2000, Mode: Modes[r.IntN(len(Modes))], Sort: SortRecent}
		}},
		{"recent+category+radius500m", func(r *rand.Rand) Query {
			return Query{Near: benchPoint(r), RadiusM: 500, Category: directory.Categories[r.IntN(len(directory.Categories))], Sort: SortRecent}
		}},
		{"recent+text+radius2km", func(r *rand.Rand) Query {
			return Query{Near: benchPoint(r), RadiusM: 2000, Text: "perceuse", Sort: SortRecent}
		}},
		{"text+mode", func(r *rand.Rand) Query {
			return Query{Near: benchPoint(r), RadiusM: 5000, Text: "vélo", Mode: Modes[r.IntN(len(Modes))]}
		}},
		{"text+category", func(r *rand.Rand) Query {
			return Query{Near: benchPoint(r), RadiusM: 5000, Text: "perceuse", Category: directory.Categories[r.IntN(len(directory.Categories))]}
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			benchEach(b, func(b *testing.B, d *benchData) {
				ctx := context.Background()
				timed(b, func(r *rand.Rand) (int, error) {
					res, err := d.svc.Search(ctx, access.Actor{}, d.ter, c.q(r))
					return len(res.Items), err
				})
			})
		})
	}
}

func BenchmarkRecentSearch(b *testing.B) {
	benchEach(b, func(b *testing.B, d *benchData) {
		ctx := context.Background()
		timed(b, func(r *rand.Rand) (int, error) {
			res, err := d.svc.Search(ctx, access.Actor{}, d.ter, Query{Category: directory.Categories[r.IntN(len(directory.Categories))]})
			return len(res.Items), err
		})
	})
}
