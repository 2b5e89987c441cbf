package offers

import "testing"

// TestInBands: the band ranges of the rings a near search reads hold every
// cell of the rows' ranges once, and no other.
func TestInBands(t *testing.T) {
	row0, col0 := int64(271300), int64(369570) // near Lyon
	for _, c := range []struct{ outer, inner block }{
		{block{row0, row0 + 9, col0, col0 + 5}, block{1, 0, 1, 0}},                                // a first square
		{block{row0, row0 + 13, col0, col0 + 12}, block{row0 + 1, row0 + 10, col0 + 3, col0 + 9}}, // a ring
		{block{row0 + 3, row0 + 4, col0, col0}, block{1, 0, 1, 0}},                                // across two bands
	} {
		want := map[[2]int64]bool{}
		for r := c.outer.r0; r <= c.outer.r1; r++ {
			for col := c.outer.c0; col <= c.outer.c1; col++ {
				if c.inner.empty() || r < c.inner.r0 || r > c.inner.r1 || col < c.inner.c0 || col > c.inner.c1 {
					want[[2]int64{r, col}] = true
				}
			}
		}
		ranges := c.outer.minus(c.inner)
		bands := inBands(ranges)
		if len(bands) >= len(ranges) && len(ranges) > 2 {
			t.Errorf("%+v: %d ranges became %d bands", c, len(ranges), len(bands))
		}
		got := map[[2]int64]int{}
		for _, bd := range bands {
			// What the query reads: band_cell within [bd[0], bd[1]] and
			// cell within [bd[2], bd[3]].
			for r := bd[2] / cellStride; r <= bd[3]/cellStride; r++ {
				for col := bd[0] % cellStride; col <= bd[1]%cellStride; col++ {
					cell, band := r*cellStride+col, (r/cellBand)*cellStride+col
					if cell >= bd[2] && cell <= bd[3] && band >= bd[0] && band <= bd[1] {
						got[[2]int64{r, col}]++
					}
				}
			}
		}
		for k, n := range got {
			if n != 1 || !want[k] {
				t.Errorf("%+v: cell %v read %d times, wanted: %v", c, k, n, want[k])
			}
		}
		if len(got) != len(want) {
			t.Errorf("%+v: %d cells read, want %d", c, len(got), len(want))
		}
	}
}
