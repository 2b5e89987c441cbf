package directory

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Benchmarks run on a territory of benchSize published initiatives, built
// once per dialect and process (the load takes seconds), and dropped by
// TestMain.

const benchSize = 100_000

var metroBox = geo.BBox{MinLon: 4.70, MinLat: 45.65, MaxLon: 5.00, MaxLat: 45.85}

type benchData struct {
	db   *store.DB
	svc  *Service
	ter  *territory.Territory
	drop func()
}

var bench struct {
	mu   sync.Mutex
	data map[string]*benchData
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range bench.data {
		d.drop()
	}
	os.Exit(code)
}

// benchEach runs fn on the shared dataset of each dialect.
func benchEach(b *testing.B, fn func(b *testing.B, d *benchData)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			bench.mu.Lock()
			defer bench.mu.Unlock() // benchmarks run one at a time anyway
			if bench.data == nil {
				bench.data = map[string]*benchData{}
			}
			d := bench.data[dialect]
			if d == nil {
				d = buildBench(b, dialect)
				bench.data[dialect] = d
			}
			b.ReportAllocs()
			b.ResetTimer()
			fn(b, d)
		})
	}
}

func openBenchDB(b *testing.B, dialect string) (*store.DB, func()) {
	ctx := context.Background()
	if dialect == "sqlite" {
		dir, err := os.MkdirTemp("", "sharingcity-bench-")
		if err != nil {
			b.Fatal(err)
		}
		db, err := store.Open(ctx, filepath.Join(dir, "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		return db, func() { db.Close(); os.RemoveAll(dir) }
	}
	base := os.Getenv(storetest.EnvPostgres)
	if base == "" {
		b.Skipf("%s is not set", storetest.EnvPostgres)
	}
	schema := fmt.Sprintf("bench_directory_%d", time.Now().UnixNano())
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
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
	return db, func() {
		db.Close()
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	}
}

var (
	benchKinds  = []string{"Atelier", "Jardin", "Café", "Repair café", "Ressourcerie", "AMAP", "Boîte à livres", "Grainothèque", "Fablab", "Tiers-lieu", "Épicerie solidaire", "Vélo-école", "Donnerie", "Coworking", "Recyclerie"}
	benchAdjs   = []string{"partagé", "solidaire", "du quartier", "citoyen", "collaboratif", "des voisins", "associatif", "municipal", "coopératif", "ouvert"}
	benchPlaces = []string{"Croix-Rousse", "Part-Dieu", "Guillotière", "Confluence", "Vaise", "Monplaisir", "Gerland", "Brotteaux", "Villeurbanne", "Bron", "Vénissieux", "Saint-Jean"}
	benchWords  = []string{"réparation", "vélo", "outils", "semences", "livres", "jeux", "compost", "énergie", "alimentation", "couture", "informatique", "musique", "cuisine", "troc", "prêt"}
)

// benchInitiative is a plausible entry: points gather around twelve
// neighbourhood centres, and "partage" is in half of the summaries, the
// commonest word a search will meet.
func benchInitiative(r *rand.Rand, ter int64, i int) *Initiative {
	var p geo.Point
	if r.IntN(4) == 0 {
		p = geo.Point{Lat: metroBox.MinLat + r.Float64()*(metroBox.MaxLat-metroBox.MinLat), Lon: metroBox.MinLon + r.Float64()*(metroBox.MaxLon-metroBox.MinLon)}
	} else {
		c := r.IntN(12)
		p = geo.Point{Lat: 45.70 + float64(c%4)*0.035 + r.NormFloat64()*0.01, Lon: 4.78 + float64(c/4)*0.06 + r.NormFloat64()*0.012}
		p.Lat = min(max(p.Lat, metroBox.MinLat), metroBox.MaxLat)
		p.Lon = min(max(p.Lon, metroBox.MinLon), metroBox.MaxLon)
	}
	summary := "Un lieu pour " + benchWords[r.IntN(len(benchWords))] + " et " + benchWords[r.IntN(len(benchWords))]
	if r.IntN(2) == 0 {
		summary += ", en partage entre habitants"
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	return &Initiative{
		TerritoryID: ter,
		Name:        fmt.Sprintf("%s %s %s %d", benchKinds[r.IntN(len(benchKinds))], benchAdjs[r.IntN(len(benchAdjs))], benchPlaces[r.IntN(len(benchPlaces))], i),
		Summary:     summary,
		Description: "Ouvert à toutes et tous. " + benchWords[r.IntN(len(benchWords))] + " le samedi.",
		Categories:  []string{Categories[r.IntN(len(Categories))]},
		Tags:        []string{benchWords[r.IntN(len(benchWords))]},
		Kind:        Kinds[r.IntN(len(Kinds))], Address: fmt.Sprintf("%d rue %s, Lyon", 1+r.IntN(200), benchPlaces[r.IntN(len(benchPlaces))]),
		Position: p, Status: StatusPublished, CreatedAt: now, UpdatedAt: now, Revision: 1,
	}
}

// buildBench loads benchSize initiatives with multi-row INSERTs in one
// transaction: row by row through the service would take minutes.
func buildBench(b *testing.B, dialect string) *benchData {
	ctx := context.Background()
	start := time.Now()
	db, drop := openBenchDB(b, dialect)
	if _, err := db.Migrate(ctx); err != nil {
		drop()
		b.Fatal(err)
	}
	ts := territory.NewService(territory.NewSQLStore(db))
	ter := &territory.Territory{Slug: "metro", Name: "Métropole", BBox: metroBox}
	if err := ts.Create(ctx, access.SystemActor(), ter); err != nil {
		drop()
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 11))
	const batch = 200
	cols := `territory_id, name, name_key, summary, description, categories, tags, kind, address, lat, lon, merc_x, merc_y, status, created_at, updated_at`
	row := "(" + store.Placeholders(16) + ")"
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if dialect == "postgres" {
			// Row by row, the cluster trigger would take minutes: the
			// counts are built in one GROUP BY below instead.
			if _, err := tx.Exec(ctx, `ALTER TABLE initiatives DISABLE TRIGGER initiatives_map`); err != nil {
				return err
			}
		}
		for i := 0; i < benchSize; i += batch {
			n := min(batch, benchSize-i)
			args := make([]any, 0, n*16)
			fts := make([]any, 0, n*5)
			for j := range n {
				in := benchInitiative(r, ter.ID, i+j)
				in.ID = int64(i + j + 1)
				mx, my := mercator(in.Position)
				args = append(args, in.TerritoryID, in.Name, nameKey(in.Name), in.Summary, in.Description,
					joinList(in.Categories), joinList(in.Tags), in.Kind, in.Address, in.Position.Lat, in.Position.Lon,
					mx, my, in.Status, in.CreatedAt, in.UpdatedAt)
				name, body, tags, facets := ftsColumns(in)
				fts = append(fts, in.ID, name, body, tags, facets)
			}
			q := `INSERT INTO initiatives (` + cols + `) VALUES ` + strings.Repeat(row+", ", n-1) + row
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return err
			}
			if dialect == "sqlite" {
				row5 := "(" + store.Placeholders(5) + ")"
				if _, err := tx.Exec(ctx, `INSERT INTO initiatives_fts (rowid, name, body, tags, facets) VALUES `+
					strings.Repeat(row5+", ", n-1)+row5, fts...); err != nil {
					return err
				}
			}
		}
		if dialect == "postgres" {
			if _, err := tx.Exec(ctx, `INSERT INTO initiative_cells (territory_id, z, cx, cy, n, sum_lat, sum_lon, sum_id)
				SELECT territory_id, z, floor(merc_x * (4 << z))::integer, floor(merc_y * (4 << z))::integer,
					count(*), sum(lat), sum(lon), sum(id)
				FROM initiatives, generate_series(0, 16, 2) AS z WHERE status = 'published' GROUP BY 1, 2, 3, 4`); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `ALTER TABLE initiatives ENABLE TRIGGER initiatives_map`); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		_, err = db.Exec(ctx, "ANALYZE")
	}
	if err == nil && dialect == "sqlite" {
		// As in production, no statistics on the FTS5 shadow tables (see
		// internal/offers' dropFTSStats).
		_, err = db.Exec(ctx, `DELETE FROM sqlite_stat4 WHERE tbl LIKE 'initiatives\_fts\_%' ESCAPE '\'`)
	}
	if err != nil {
		drop()
		b.Fatal(err)
	}
	b.Logf("%s: loaded %d initiatives in %v", dialect, benchSize, time.Since(start).Round(time.Millisecond))
	checkPlans(b, db, ter.ID)
	return &benchData{db: db, ter: ter, drop: drop,
		svc: NewService(NewSQLStore(db), ts, nil, slog.New(slog.DiscardHandler), time.Now)}
}

// percentiles reports p50 and p99 of the timed calls.
func percentiles(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), "p99-µs")
}

func timed(b *testing.B, fn func(r *rand.Rand) error) {
	r := rand.New(rand.NewPCG(3, 5))
	ds := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		if err := fn(r); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	percentiles(b, ds)
}

// A city viewport (about 2.5 km x 2 km, zoom 15 on a phone) at a random place.
func viewport(r *rand.Rand) geo.BBox {
	lon := 4.80 + r.Float64()*0.12
	lat := 45.71 + r.Float64()*0.10
	return geo.BBox{MinLon: lon, MinLat: lat, MaxLon: lon + 0.032, MaxLat: lat + 0.018}
}

func BenchmarkNear(b *testing.B) {
	benchEach(b, func(b *testing.B, d *benchData) {
		ctx := context.Background()
		timed(b, func(r *rand.Rand) error {
			p := geo.Point{Lat: 45.70 + r.Float64()*0.12, Lon: 4.78 + r.Float64()*0.16}
			hits, err := d.svc.Near(ctx, d.ter, p, 10)
			if err == nil && len(hits) != 10 {
				err = fmt.Errorf("%d hits", len(hits))
			}
			return err
		})
	})
}

func BenchmarkInBox(b *testing.B) {
	benchEach(b, func(b *testing.B, d *benchData) {
		ctx := context.Background()
		n := 0
		timed(b, func(r *rand.Rand) error {
			pts, err := d.svc.InBox(ctx, d.ter, viewport(r), Filter{}, 0)
			n += len(pts)
			return err
		})
		b.ReportMetric(float64(n)/float64(b.N), "points/op")
	})
}

func BenchmarkClusters(b *testing.B) {
	benchEach(b, func(b *testing.B, d *benchData) {
		ctx := context.Background()
		n := 0
		// The whole territory at zoom 11, as a phone opens the map.
		timed(b, func(r *rand.Rand) error {
			cs, err := d.svc.Clusters(ctx, d.ter, metroBox, 11, Filter{})
			n += len(cs)
			return err
		})
		b.ReportMetric(float64(n)/float64(b.N), "clusters/op")
	})
}

func BenchmarkSearchCommonWord(b *testing.B) {
	benchEach(b, func(b *testing.B, d *benchData) {
		ctx := context.Background()
		total := 0
		timed(b, func(r *rand.Rand) error {
			res, err := d.svc.Search(ctx, d.ter, Query{Text: "partage"})
			total = res.Total
			return err
		})
		b.ReportMetric(float64(total), "matches")
	})
}

func BenchmarkSearchRareWord(b *testing.B) {
	benchEach(b, func(b *testing.B, d *benchData) {
		ctx := context.Background()
		timed(b, func(r *rand.Rand) error {
			_, err := d.svc.Search(ctx, d.ter, Query{Text: "grainothèque croix"})
			return err
		})
	})
}
