package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/jobs"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func TestJobOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want jobs.Options
	}{
		{"defaults", nil, jobs.Options{}},
		{"set", map[string]string{"SHARINGCITY_JOB_WORKERS": "8", "SHARINGCITY_JOB_POLL": "250ms", "SHARINGCITY_JOB_LEASE": "2m"},
			jobs.Options{Workers: 8, Poll: 250 * time.Millisecond, Lease: 2 * time.Minute}},
		{"garbage", map[string]string{"SHARINGCITY_JOB_WORKERS": "many", "SHARINGCITY_JOB_POLL": "soon"}, jobs.Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := jobOptions(func(k string) string { return tc.env[k] })
			if got.Workers != tc.want.Workers || got.Poll != tc.want.Poll || got.Lease != tc.want.Lease {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestStartJobsRunsAndStops(t *testing.T) {
	db := storetest.OpenSQLite(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := newJobQueue(db, log, time.Now, jobs.Options{Poll: 10 * time.Millisecond})
	ran := make(chan string, 1)
	q.Register("hello", func(_ context.Context, args json.RawMessage) error { ran <- string(args); return nil })
	ctx, cancel := context.WithCancel(context.Background())
	stop, err := startJobs(ctx, q, log)
	if err != nil {
		t.Fatal(err)
	}
	cancel() // the shutdown signal: jobs keep running until stop
	if _, err := q.Enqueue(context.Background(), jobs.Job{Kind: "hello", Args: json.RawMessage(`{"to":"world"}`)}); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-ran:
		if got != `{"to":"world"}` {
			t.Fatalf("args %s", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("job not run")
	}
	stop()
}

func TestJobsCommand(t *testing.T) {
	dsn := storetest.SQLitePath(t)
	jobsCLI := func(args ...string) (string, error) {
		var out bytes.Buffer
		env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: io.Discard, getenv: func(string) string { return "" }}
		err := runJobs(context.Background(), env, append([]string{"--db", dsn}, args...))
		return out.String(), err
	}
	// Periodic jobs (the message digests) keep one pending job each: running
	// the due ones runs them once and leaves their next run pending.
	if out, err := jobsCLI("stats"); err != nil || !strings.HasSuffix(out, "running 0, failed 0\n") {
		t.Fatalf("stats: %q %v", out, err)
	}
	if out, err := jobsCLI("run-due"); err != nil || !strings.Contains(out, "job(s) run\n") || !strings.HasSuffix(out, "running 0, failed 0\n") {
		t.Fatalf("run-due: %q %v", out, err)
	}
	var usage usageError
	if _, err := jobsCLI("frobnicate"); !errors.As(err, &usage) {
		t.Fatalf("unknown action: %v", err)
	}
}
