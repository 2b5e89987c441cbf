package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/sharingcity/sharingcity/internal/jobs"
	"github.com/sharingcity/sharingcity/internal/store"
)

// jobsStopGrace is how long a shutdown waits for running jobs before
// cancelling them; interrupted jobs go back to the queue and run again.
const jobsStopGrace = 20 * time.Second

// jobOptions reads the queue settings every instance may tune:
// SHARINGCITY_JOB_WORKERS (jobs run at once), SHARINGCITY_JOB_POLL and
// SHARINGCITY_JOB_LEASE (Go durations). Bad values keep the defaults.
func jobOptions(getenv func(string) string) jobs.Options {
	var o jobs.Options
	o.Workers = atoiOr(getenv("SHARINGCITY_JOB_WORKERS"), 0)
	if d, err := time.ParseDuration(getenv("SHARINGCITY_JOB_POLL")); err == nil {
		o.Poll = d
	}
	if d, err := time.ParseDuration(getenv("SHARINGCITY_JOB_LEASE")); err == nil {
		o.Lease = d
	}
	return o
}

// newJobQueue builds the queue that services enqueue into. openApp makes it
// before the services, which take it as a dependency; registerJobs then
// gives it the handlers.
func newJobQueue(db *store.DB, log *slog.Logger, now func() time.Time, opts jobs.Options) *jobs.Queue {
	return jobs.New(db, log.With("component", "jobs"), now, opts)
}

// registerJobs is the one place where each module's job handlers and
// periodic jobs are registered, so `serve` and `jobs run-due` know the same
// kinds. A module adds one line, e.g.
//
//	a.offers.RegisterJobs(q) // q.Register("offers.notify", ...); q.Every("offers.expire", 24*time.Hour)
func registerJobs(q *jobs.Queue, a *app) {
	register := func(kind string, h func(context.Context, json.RawMessage) error) { q.Register(kind, h) }
	a.messages.RegisterJobs(register, q.Every)
	a.booking.RegisterJobs(register, q.Every)
	a.mobility.RegisterJobs(register, q.Every)
	a.offers.RegisterJobs(register, q.Every)
	a.directory.RegisterJobs(register, q.Every)
}

// startJobs starts this instance's workers. stop waits for running jobs
// (up to jobsStopGrace) and is safe to defer.
func startJobs(ctx context.Context, q *jobs.Queue, log *slog.Logger) (stop func(), err error) {
	if err := q.Start(ctx); err != nil {
		return nil, fmt.Errorf("start jobs: %w", err)
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jobsStopGrace)
		defer cancel()
		if err := q.Stop(sctx); err != nil {
			log.Warn("jobs still running at shutdown were interrupted; they will run again", "err", err)
		}
	}, nil
}

// runJobs is the `jobs` subcommand: counts by state, or run the due jobs
// once in the foreground (from cron, or to drain the queue by hand).
func runJobs(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "jobs", "jobs [--db FILE_OR_URL] stats|run-due")
	dsn := dbFlag(env, fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	action := fs.Arg(0)
	if action != "stats" && action != "run-due" {
		return usageError{fmt.Sprintf("unknown jobs action %q (want stats or run-due)", action)}
	}
	log := slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := openApp(ctx, log, appOptions{dsn: *dsn})
	if err != nil {
		return err
	}
	defer a.Close()
	q := a.jobs
	if action == "run-due" {
		ran, err := q.RunDue(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%d job(s) run\n", ran)
	}
	pending, running, failed, err := q.Stats(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "pending %d, running %d, failed %d\n", pending, running, failed)
	return nil
}
