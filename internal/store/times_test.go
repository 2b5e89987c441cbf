package store

import (
	"errors"
	"testing"
	"time"
)

// TestParseTime: the hand parser of the store's own layout gives
// time.Parse's answer, and the other layouts are read as before.
func TestParseTime(t *testing.T) {
	for _, s := range []string{
		"2026-03-14 10:00:00+00:00", "2026-03-14 10:00:00.5+00:00", "2026-12-31 23:59:59.123456789+00:00",
		"2026-03-14 10:00:00.000001+00:00", "2024-02-29 00:00:00+00:00", "1999-01-01 01:02:03+00:00",
		"2026-03-14 10:00:00+02:00", "2026-03-14 10:00:00.25-05:30", // other offsets: time.Parse
		"2026-03-14T10:00:00Z", "2026-03-14T10:00:00.5+01:00", "2026-03-14 10:00:00", "2026-03-14T10:00:00.25",
		"2026-04-31 10:00:00+00:00", "2025-02-29 10:00:00+00:00", "2026-13-01 10:00:00+00:00", "2026-03-14 24:00:00+00:00",
		"2026-03-14 10:00:00.+00:00", "2026-03-14 10:00:00.1234567890+00:00", "2026-03-14 10:0a:00+00:00", "", "hier",
	} {
		var want time.Time
		wantErr := errors.New("no layout")
		for _, layout := range sqliteTimeLayouts {
			if w, err := time.Parse(layout, s); err == nil {
				want, wantErr = w, nil
				break
			}
		}
		got, err := ParseTime(s)
		if (err != nil) != (wantErr != nil) || (err == nil && !got.Equal(want)) {
			t.Errorf("%q: got %v, %v; want %v, %v", s, got, err, want, wantErr)
		}
		if err == nil && got.Location() != want.Location() && want.Location() == time.UTC {
			t.Errorf("%q: location %v, want UTC", s, got.Location())
		}
	}
	var got time.Time
	for _, src := range []any{"2026-03-14 10:00:00+00:00", []byte("2026-03-14 10:00:00+00:00"), time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)} {
		got = time.Time{}
		if err := (TimeColumn{&got}).Scan(src); err != nil || !got.Equal(time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("Scan(%T): %v, %v", src, got, err)
		}
	}
	if err := (TimeColumn{&got}).Scan(42); err == nil {
		t.Error("Scan(int): no error")
	}
}
