package hours

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name string
		in   map[string][]string
		ok   bool
	}{
		{"empty is always open", nil, true},
		{"two spans", map[string][]string{"sat": {"14:00-18:00", "08:00-12:30"}}, true},
		{"until midnight", map[string][]string{"fri": {"20:00-24:00"}}, true},
		{"unknown day", map[string][]string{"samedi": {"08:00-12:00"}}, false},
		{"no dash", map[string][]string{"mon": {"08:00"}}, false},
		{"close before open", map[string][]string{"mon": {"12:00-08:00"}}, false},
		{"empty span", map[string][]string{"mon": {"08:00-08:00"}}, false},
		{"bad minutes", map[string][]string{"mon": {"08:60-09:00"}}, false},
		{"past midnight", map[string][]string{"mon": {"08:00-24:30"}}, false},
		{"short clock", map[string][]string{"mon": {"8:00-9:00"}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("Parse(%v) error = %v, want ok %v", tc.in, err, tc.ok)
			}
		})
	}
	if w, err := Parse(nil); w != nil || err != nil {
		t.Fatalf("no hours: %v %v, want nil (always open)", w, err)
	}
}

func TestOpenAtAndSpans(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Parse(map[string][]string{
		"sat": {"08:00-13:00"},
		"sun": {"08:00-12:00"}, // 29 March 2026, the night clocks go forward
		"fri": {"20:00-24:00"},
	})
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }
	open := []struct {
		name  string
		t     time.Time
		asEnd bool
		want  bool
	}{
		{"saturday market", at(2026, 3, 28, 9, 30), false, true},
		{"saturday at the close, as a start", at(2026, 3, 28, 13, 0), false, false},
		{"saturday at the close, as an end", at(2026, 3, 28, 13, 0), true, true},
		{"saturday before opening", at(2026, 3, 28, 7, 59), false, false},
		{"closed on monday", at(2026, 3, 30, 9, 0), false, false},
		{"sunday after the clocks went forward", at(2026, 3, 29, 8, 30), false, true},
		{"midnight closes friday", at(2026, 3, 28, 0, 0), true, true},
		{"midnight does not open saturday", at(2026, 3, 28, 0, 0), false, false},
		// The same instant in UTC is 07:30 in Paris (summer time): closed.
		{"local time, not UTC", time.Date(2026, 4, 4, 5, 30, 0, 0, time.UTC), false, false},
	}
	for _, tc := range open {
		if got := w.OpenAt(tc.t, paris, tc.asEnd); got != tc.want {
			t.Errorf("%s: OpenAt(%s) = %v, want %v", tc.name, tc.t, got, tc.want)
		}
	}
	spans := []struct {
		name       string
		start, end time.Time
		want       bool
	}{
		{"inside", at(2026, 3, 28, 9, 0), at(2026, 3, 28, 11, 0), true},
		{"over the close", at(2026, 3, 28, 12, 0), at(2026, 3, 28, 14, 0), false},
		{"friday evening until midnight", at(2026, 3, 27, 21, 0), at(2026, 3, 28, 0, 0), true},
		{"across two days", at(2026, 3, 27, 21, 0), at(2026, 3, 28, 9, 0), false},
	}
	for _, tc := range spans {
		if got := w.WithinOneSpan(tc.start, tc.end, paris); got != tc.want {
			t.Errorf("%s: WithinOneSpan = %v, want %v", tc.name, got, tc.want)
		}
	}
	var always *Week
	if !always.OpenAt(at(2026, 3, 30, 3, 0), paris, false) || !always.WithinOneSpan(at(2026, 3, 30, 3, 0), at(2026, 3, 31, 3, 0), paris) {
		t.Error("nil hours must be always open")
	}
}
