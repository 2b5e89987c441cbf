package booking

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// BenchmarkBook books one-hour slots of 50 drills with 2 copies each, from
// parallel goroutines; every slot is asked for three times, so one in three
// bookings is refused. It reports successful bookings per second and checks
// afterwards, from the database, that no resource is ever over-booked.
//
//	go test -run '^$' -bench BenchmarkBook ./internal/booking/
func BenchmarkBook(b *testing.B) {
	eachBench(b, func(b *testing.B, db *store.DB) {
		e := newEnv(b, db)
		ctx := context.Background()
		const nResources, copies, askers = 50, 2, 3
		resources := make([]*Resource, nResources)
		for i := range resources {
			resources[i] = e.drill(b, copies, Rules{})
		}
		members := make([]access.Actor, 64)
		for i := range members {
			members[i] = e.member(b)
		}
		base := e.clock.now().Truncate(time.Hour).Add(24 * time.Hour)
		var next, booked, refused atomic.Int64
		// Many bookings at once, as from a web server's requests:
		// PostgreSQL bookings wait on the network, and SQLite ones share
		// a commit when they come together (store.DB.Batched).
		b.SetParallelism(8)
		b.ReportAllocs()
		b.ResetTimer()
		start, cpu0, srv0 := time.Now(), cpuTime(b), serverCPU(b, db)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := next.Add(1) - 1
				slot := i / askers
				r := resources[slot%nResources]
				at := base.Add(time.Duration(slot/nResources) * time.Hour)
				_, err := e.svc.Book(ctx, members[i%int64(len(members))], e.ter, Request{ResourceID: r.ID, Start: at, End: at.Add(time.Hour)})
				switch {
				case err == nil:
					booked.Add(1)
				case errs.Is(err, errs.Conflict):
					refused.Add(1)
				default:
					b.Error(err)
					return
				}
			}
		})
		elapsed, cpu := time.Since(start), cpuTime(b)-cpu0
		srv := serverCPU(b, db)
		b.StopTimer()
		// The CPU this process spent per attempt (user and system, all
		// threads): on a shared machine the rate varies with the load,
		// this much less. On PostgreSQL the server's share is not in it.
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
		if srv0 != nil && srv != nil {
			var d time.Duration
			for pid, t := range srv {
				d += t - srv0[pid]
			}
			b.ReportMetric(float64(d.Microseconds())/float64(b.N), "server-cpu-µs/op")
		}
		b.ReportMetric(float64(booked.Load())/elapsed.Seconds(), "bookings/s")
		b.ReportMetric(float64(booked.Load()+refused.Load())/elapsed.Seconds(), "attempts/s")
		// Zero over-bookings, read back from the database.
		st := NewSQLStore(db)
		far := base.Add(time.Duration(b.N/nResources+2) * time.Hour)
		over := 0
		for _, r := range resources {
			slots, err := st.Holding(ctx, e.ter.ID, r.ID, base, far, 0)
			if err != nil {
				b.Fatal(err)
			}
			if p := peak(slots, base, far); p > copies {
				over++
			}
		}
		if over > 0 {
			b.Fatalf("%d resources over-booked", over)
		}
		if want := int64(b.N) - int64(b.N)/askers; booked.Load() < want-int64(nResources*copies) || booked.Load() > int64(b.N) {
			b.Fatalf("%d booked of %d attempts, want about %d", booked.Load(), b.N, want)
		}
		b.Logf("%s: %d attempts, %d booked, %d refused, %d over-booked, %.0f bookings/s", db.Dialect(), b.N,
			booked.Load(), refused.Load(), over, float64(booked.Load())/elapsed.Seconds())
	})
}

// benchApp names the benchmark's PostgreSQL connections, to find their
// server processes.
const benchApp = "booking_bench"

// eachBench is storetest.EachB, with the PostgreSQL connections named.
func eachBench(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.OpenSQLite(b)) })
	b.Run("postgres", func(b *testing.B) {
		db, err := store.Open(context.Background(), storetest.PostgresURL(b)+"&application_name="+benchApp)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		fn(b, db)
	})
}

// serverCPU is the CPU time of each PostgreSQL server process serving
// this benchmark, when the server runs on this machine and /proc shows it
// (nil otherwise): the server's share of a booking, which the process's
// own CPU time leaves out.
func serverCPU(b *testing.B, db *store.DB) map[int]time.Duration {
	if db.Dialect() != store.Postgres {
		return nil
	}
	rows, err := db.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE application_name = ?`, benchApp)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return nil
		}
		// Fields after the command (which ends with ')'): utime and stime
		// are the 14th and 15th of the line, in clock ticks (100 a second).
		f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		if len(f) < 13 {
			return nil
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		out[pid] = time.Duration(ut+st) * 10 * time.Millisecond
	}
	if rows.Err() != nil {
		return nil
	}
	return out
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
