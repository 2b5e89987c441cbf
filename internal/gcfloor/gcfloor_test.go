package gcfloor

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		name  string
		base  int
		floor uint64
		live  uint64
		want  int
	}{
		{name: "small heap: the floor", base: 50, floor: 12 * mb, live: 12 * mb, want: 100},
		{name: "a third of the floor", base: 50, floor: 12 * mb, live: 4 * mb, want: 300},
		{name: "large heap: base", base: 50, floor: 12 * mb, live: 40 * mb, want: 50},
		{name: "exactly at the floor", base: 50, floor: 12 * mb, live: 24 * mb, want: 50},
		{name: "just under it", base: 50, floor: 12 * mb, live: 23 * mb, want: 53},
		{name: "empty heap: bounded", base: 50, floor: 12 * mb, live: 0, want: maxPercent},
		{name: "tiny heap: bounded", base: 50, floor: 12 * mb, live: 1000, want: maxPercent},
		{name: "base above the floor's need", base: 200, floor: 12 * mb, live: 8 * mb, want: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Percent(tc.base, tc.floor, tc.live)
			if got != tc.want {
				t.Errorf("Percent(%d, %d, %d) = %d, want %d", tc.base, tc.floor, tc.live, got, tc.want)
			}
			if got < tc.base {
				t.Errorf("below base: %d", got)
			}
			if tc.live > 0 && got < maxPercent && tc.live*uint64(got)/100 < tc.floor {
				t.Errorf("%d %% of %d bytes is under the floor", got, tc.live)
			}
		})
	}
}

// TestKeepSetsAfterCollections: Keep sets the percentage after a
// collection, again after later ones only when it changes, and stops with
// its context.
func TestKeepSetsAfterCollections(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var got []int
	// A floor far above any test heap: the percentage is the bound.
	Keep(ctx, 50, 1<<40, func(p int) {
		mu.Lock()
		got = append(got, p)
		mu.Unlock()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no percentage set after collections")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for range 5 {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != maxPercent {
		t.Errorf("set %v, want [%d] once (unchanged afterwards)", got, maxPercent)
	}
}
