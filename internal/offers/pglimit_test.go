package offers

import "testing"

// TestPgTextLimit: the limits written in PostgreSQL statements' texts are
// never below what was asked, at most an eighth above past 16, and few:
// every walk a search can ask for fits pgx's 512 statements per
// connection many times over.
func TestPgTextLimit(t *testing.T) {
	seen := map[int]bool{}
	for n := 1; n <= 4*(2*(MaxOffset+MaxLimit+1)+16); n++ {
		got := pgTextLimit(n)
		if got < n || (n > 16 && float64(got) > float64(n)*9/8) || (n <= 16 && got != n) {
			t.Fatalf("pgTextLimit(%d) = %d", n, got)
		}
		if pgTextLimit(got) != got {
			t.Fatalf("pgTextLimit(%d) = %d, not a fixed point", got, pgTextLimit(got))
		}
		seen[got] = true
	}
	if len(seen) > 120 {
		t.Fatalf("%d texts", len(seen))
	}
	for n, want := range map[int]int{58: 60, 138: 144, 39: 40, 16: 16, 17: 18} {
		if got := pgTextLimit(n); got != want {
			t.Errorf("pgTextLimit(%d) = %d, want %d", n, got, want)
		}
	}
}
