package booking

import (
	"context"
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
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
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
		start, cpu0 := time.Now(), cpuTime(b)
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
		b.StopTimer()
		// The CPU this process spent per attempt (user and system, all
		// threads): on a shared machine the rate varies with the load,
		// this much less. On PostgreSQL the server's share is not in it.
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
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

// cpuTime is the user and system CPU time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
