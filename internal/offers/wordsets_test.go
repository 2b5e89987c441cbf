package offers

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestWordSetsSingleFlight: concurrent searches of the same words while no
// set is kept make one build, which they all get.
func TestWordSetsSingleFlight(t *testing.T) {
	c := newWordSets(maxWordSetBytes)
	var builds atomic.Int32
	refresh := func(ws *wordSet, rebuild bool) (*wordSet, bool, error) {
		if ws != nil {
			return ws, true, nil
		}
		if !rebuild {
			return nil, false, nil
		}
		builds.Add(1)
		time.Sleep(50 * time.Millisecond)
		return &wordSet{key: "1/perceuse", seq: 7, byCell: []wordListing{{id: 1}}}, false, nil
	}
	var wg sync.WaitGroup
	got := make([]*wordSet, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws, err := c.fresh(context.Background(), "1/perceuse", refresh)
			if err != nil {
				t.Error(err)
			}
			got[i] = ws
		}()
	}
	wg.Wait()
	if n := builds.Load(); n > 2 { // a search may start after the first flight ended
		t.Fatalf("%d builds for 8 concurrent searches", n)
	}
	for _, ws := range got {
		if ws == nil || ws.seq != 7 {
			t.Fatalf("got %+v", ws)
		}
	}
	if ws, _ := c.fresh(context.Background(), "1/perceuse", refresh); ws != got[0] {
		t.Fatal("kept set not used")
	}
}
