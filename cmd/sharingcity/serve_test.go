package main

import "testing"

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"80MiB": 80 << 20, "80 MB": 80 << 20, "1GiB": 1 << 30, "512KiB": 512 << 10, "1000": 1000, "64B": 64} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-5MiB", "0", "eighty", "1.5GiB", "9999999999GiB"} {
		if _, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q): no error", in)
		}
	}
}

func TestGCPercentOf(t *testing.T) {
	for _, tc := range []struct {
		name, flag, gogc string
		pct              int
		set, bad         bool
	}{
		{name: "default", pct: defaultGCPercent, set: true},
		{name: "GOGC wins over the default", gogc: "200"},
		{name: "GOGC=off is the runtime's", gogc: "off"},
		{name: "flag", flag: "80", pct: 80, set: true},
		{name: "flag wins over GOGC", flag: "30", gogc: "200", pct: 30, set: true},
		{name: "zero", flag: "0", bad: true},
		{name: "word", flag: "half", bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pct, set, err := gcPercentOf(tc.flag, tc.gogc)
			if (err != nil) != tc.bad || pct != tc.pct || set != tc.set {
				t.Errorf("gcPercentOf(%q, %q) = %d, %v, %v", tc.flag, tc.gogc, pct, set, err)
			}
		})
	}
}
