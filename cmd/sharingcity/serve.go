package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/sharingcity/sharingcity/internal/gcfloor"
	"github.com/sharingcity/sharingcity/internal/i18n"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/web"
)

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "serve", "serve [--addr HOST:PORT] [--db FILE_OR_URL] [--demo] [flags]")
	addr := fs.String("addr", envDefault(env, "ADDR", "localhost:8080"), "address to listen on (env SHARINGCITY_ADDR)")
	dsn := dbFlag(env, fs)
	demo := fs.String("demo", envDefault(env, "DEMO", "auto"), "seed the demo territory 'demo': true, false, or auto (only into a new SQLite file) (env SHARINGCITY_DEMO)")
	baseURL := fs.String("base-url", envDefault(env, "BASE_URL", ""), "public URL, for links in e-mails; https turns on secure cookies (env SHARINGCITY_BASE_URL; default http://ADDR)")
	logFormat := fs.String("log-format", envDefault(env, "LOG_FORMAT", "text"), "log format: text or json (env SHARINGCITY_LOG_FORMAT)")
	logLevel := fs.String("log-level", envDefault(env, "LOG_LEVEL", "info"), "debug, info, warn or error (env SHARINGCITY_LOG_LEVEL)")
	smtpHost := fs.String("smtp-host", envDefault(env, "SMTP_HOST", ""), "SMTP server; empty keeps mail in the outbox table (env SHARINGCITY_SMTP_HOST)")
	smtpPort := fs.Int("smtp-port", atoiOr(envDefault(env, "SMTP_PORT", "587"), 587), "SMTP port (env SHARINGCITY_SMTP_PORT)")
	smtpUser := fs.String("smtp-user", envDefault(env, "SMTP_USER", ""), "SMTP user name (env SHARINGCITY_SMTP_USER)")
	smtpPassword := fs.String("smtp-password", envDefault(env, "SMTP_PASSWORD", ""), "SMTP password (env SHARINGCITY_SMTP_PASSWORD)")
	smtpFrom := fs.String("smtp-from", envDefault(env, "SMTP_FROM", "sharingcity <no-reply@localhost>"), "sender address (env SHARINGCITY_SMTP_FROM)")
	smtpTLS := fs.String("smtp-tls", envDefault(env, "SMTP_TLS", "starttls"), "none, starttls or tls (env SHARINGCITY_SMTP_TLS)")
	loginRate := fs.Int("login-per-minute", atoiOr(envDefault(env, "LOGIN_PER_MINUTE", "10"), 10), "login attempts allowed per minute per address and e-mail (env SHARINGCITY_LOGIN_PER_MINUTE)")
	mediaDir := fs.String("media-dir", envDefault(env, "MEDIA_DIR", "media"), "where uploaded photos are stored (env SHARINGCITY_MEDIA_DIR)")
	trustProxy := fs.Bool("trust-proxy", envDefault(env, "TRUST_PROXY", "") == "true", "behind a reverse proxy: take client addresses from X-Forwarded-For (env SHARINGCITY_TRUST_PROXY=true)")
	geocoderURL := fs.String("geocoder-url", envDefault(env, "GEOCODER_URL", ""), "BAN/addok geocoder for addresses in searches, e.g. https://api-adresse.data.gouv.fr; empty: the directory's own addresses (env SHARINGCITY_GEOCODER_URL)")
	memLimit := fs.String("memory-limit", envDefault(env, "MEMORY_LIMIT", ""), "soft limit of the Go heap, e.g. 80MiB: the collector works harder as it nears it; off: none; empty: GOMEMLIMIT, else three quarters of the container's memory limit (cgroup), else none (env SHARINGCITY_MEMORY_LIMIT)")
	gcPercent := fs.String("gc-percent", envDefault(env, "GC_PERCENT", ""), "heap growth allowed between collections, in percent of the live heap, as Go's GOGC; empty: GOGC, or 50 when it is not set either (env SHARINGCITY_GC_PERCENT)")
	postRate := fs.Int("post-per-minute", atoiOr(envDefault(env, "POST_PER_MINUTE", "30"), 30), "contributions allowed per minute per member (env SHARINGCITY_POST_PER_MINUTE)")
	if err := parse(fs, args); err != nil {
		return err
	}
	log, err := newLogger(env, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	if n, from, err := memoryLimitOf(*memLimit, env.getenv("GOMEMLIMIT"), os.ReadFile); err != nil {
		return usageError{"--memory-limit: " + err.Error()}
	} else if n > 0 {
		debug.SetMemoryLimit(n)
		log.Info("memory limit", "bytes", n, "from", from)
	}
	if pct, set, err := gcPercentOf(*gcPercent, env.getenv("GOGC")); err != nil {
		return usageError{"--gc-percent: " + err.Error()}
	} else if set {
		debug.SetGCPercent(pct)
		if *gcPercent == "" { // serve's default: not below a floor of allocation
			gcfloor.Keep(ctx, pct, gcFloorBytes, nil)
		}
	}
	if *baseURL == "" {
		*baseURL = "http://" + *addr
	}
	a, err := openApp(ctx, log, appOptions{
		dsn: *dsn, baseURL: strings.TrimRight(*baseURL, "/"),
		smtp: mail.SMTPConfig{Host: *smtpHost, Port: *smtpPort, Username: *smtpUser, Password: *smtpPassword, From: *smtpFrom, TLS: *smtpTLS},
	})
	if err != nil {
		return err
	}
	defer a.Close()

	seed := *demo == "true" || (*demo == "auto" && a.created)
	if *demo != "true" && *demo != "false" && *demo != "auto" {
		return usageError{"--demo must be true, false or auto"}
	}
	if seed {
		if err := seedDemo(ctx, a, env.stdout); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}

	// Built now rather than by the first "near me": built on demand, it
	// reads every published row while near-me requests arrive, which the
	// slower database path answers meanwhile, and its garbage lands on a
	// heap already full of caches (bench/README.md, the 26 November morning round).
	go prepareNear(ctx, a, log)

	stopJobs, err := startJobs(ctx, a.jobs, log)
	if err != nil {
		return err
	}
	// Runs when serve returns, after the HTTP server has shut down: requests
	// in flight may still enqueue.
	defer stopJobs()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	photos, err := media.NewDiskStore(*mediaDir)
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	geocoder, err := newGeocoder(*geocoderURL, a.directory, log)
	if err != nil {
		return err
	}
	bundle, err := i18n.Load()
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{
		BaseURL: *baseURL, SecureCookies: strings.HasPrefix(*baseURL, "https://"),
		LoginPerMinute: *loginRate, PostPerMinute: *postRate, TrustProxy: *trustProxy, Version: version,
	}, web.Deps{
		DB: a.db, Log: log, I18n: bundle, Territories: a.territories, Accounts: a.accounts,
		Directory: a.directory, Offers: a.offers, Ledger: a.ledger, Messages: a.messages, Geocoder: geocoder, Booking: a.booking, Mobility: a.mobility, RDEX: a.rdex, Partners: a.partners, RDEXPartners: a.partnerAdmin,
		Media: media.NewProcessor(photos, media.Options{Logger: log}), Outbox: a.outbox, Registry: reg,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	httpSrv := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("sharingcity listening", "url", "http://"+ln.Addr().String(), "db", a.db.Dialect(), "version", version)
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		log.Info("shutting down: finishing requests in flight")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := httpSrv.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	log.Info("stopped")
	return nil
}

// prepareNear builds the "near me" indexes at start-up (see
// directory.Service.PrepareAllNear), then hands the start-up garbage back
// to the OS.
func prepareNear(ctx context.Context, a *app, log *slog.Logger) {
	start := time.Now()
	ters, err := a.territories.List(ctx)
	if err != nil {
		log.Warn("near index at start-up", "err", err)
		return
	}
	n := a.directory.PrepareAllNear(ctx, ters)
	log.Debug("near indexes built at start-up", "territories", n, "of", len(ters), "took", time.Since(start))
	// Start-up leaves about 20 MB of garbage in the heap (the account
	// service's argon2 hash, the build's buffers) that the runtime would
	// otherwise hand back to the OS only slowly.
	debug.FreeOSMemory()
}

func newLogger(env *cliEnv, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{"--log-level: " + err.Error()}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(env.stderr, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(env.stderr, opts)), nil
	}
	return nil, usageError{"--log-format must be text or json"}
}

// defaultGCPercent is the collector's setting unless the operator chose
// one. Go's 100 lets the heap grow to twice what is live; with the "near
// me" index (9 MB for 100,000 initiatives) live from start-up, the random
// viewports of bench/map_load.sh then took the server to 104 MB, 91-93 MB
// at 50, for twice the collections (bench/README.md, the 26 November morning round).
const defaultGCPercent = 50

// gcFloorBytes is the least allocation between two collections at the
// default percentage (internal/gcfloor): with a live heap of 12 MB, 50 %
// was a collection every 6 MB, 15 a second under "near me", each taking
// both vCPUs from PostgreSQL for 1.5 ms; past 24 MB live, 50 % is above it
// and applies as before.
const gcFloorBytes = 12 << 20

// gcPercentOf decides the collector's setting from --gc-percent and the
// GOGC variable: the flag when given, else the runtime's own when GOGC is
// set (set is false then), else defaultGCPercent.
func gcPercentOf(flagValue, gogc string) (pct int, set bool, err error) {
	switch {
	case flagValue != "":
		n, err := strconv.Atoi(strings.TrimSpace(flagValue))
		if err != nil || n < 1 {
			return 0, false, fmt.Errorf("%q is not a percentage of 1 or more", flagValue)
		}
		return n, true, nil
	case gogc != "":
		return 0, false, nil
	}
	return defaultGCPercent, true, nil
}

// cgroupMemoryFiles hold the memory limit of the container serve runs
// in: cgroup v2, then v1.
var cgroupMemoryFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// memoryLimitOf is the soft memory limit serve sets and where it comes
// from: the flag ("off": none), else none when GOMEMLIMIT is set (the
// runtime applies it), else part of the container's limit read by
// readFile, so that a server in a 128 MiB container collects harder
// before it is killed for memory instead of after. Three quarters, and
// 48 MiB at least left for what the Go heap does not count (the binary,
// SQLite's page caches), but never under half.
func memoryLimitOf(flag, gomemlimit string, readFile func(string) ([]byte, error)) (int64, string, error) {
	switch {
	case flag == "off":
		return 0, "", nil
	case flag != "":
		n, err := parseBytes(flag)
		return n, "flag", err
	case gomemlimit != "":
		return 0, "", nil
	}
	for _, f := range cgroupMemoryFiles {
		b, err := readFile(f)
		if err != nil {
			continue
		}
		limit, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || limit <= 0 || limit >= 1<<50 { // "max", or v1's "unlimited" (about 2^63)
			return 0, "", nil
		}
		n := max(min(limit/4*3, limit-48<<20), limit/2)
		return n, f, nil
	}
	return 0, "", nil
}

// parseBytes reads a size: a number of bytes, or one followed by KiB, MiB,
// GiB (or KB, MB, GB, taken as the same powers of two).
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size such as 80MiB", s)
	}
	return n * mult, nil
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

func fileExists(path string) bool {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	_, err := os.Stat(path)
	return err == nil
}
