package main

import (
	"errors"
	"io/fs"
	"testing"
)

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

func TestMemoryLimitOf(t *testing.T) {
	const mib = 1 << 20
	files := func(m map[string]string) func(string) ([]byte, error) {
		return func(name string) ([]byte, error) {
			if v, ok := m[name]; ok {
				return []byte(v), nil
			}
			return nil, fs.ErrNotExist
		}
	}
	v2, v1 := cgroupMemoryFiles[0], cgroupMemoryFiles[1]
	for _, tc := range []struct {
		name, flag, gomemlimit string
		files                  map[string]string
		want                   int64
		bad                    bool
	}{
		{name: "flag", flag: "80MiB", files: map[string]string{v2: "134217728\n"}, want: 80 * mib},
		{name: "flag off", flag: "off", files: map[string]string{v2: "134217728\n"}},
		{name: "bad flag", flag: "lots", bad: true},
		{name: "GOMEMLIMIT is the runtime's", gomemlimit: "60MiB", files: map[string]string{v2: "134217728\n"}},
		{name: "no container"},
		{name: "cgroup v2 without a limit", files: map[string]string{v2: "max\n"}},
		{name: "cgroup v2, 128 MiB: 48 MiB left", files: map[string]string{v2: "134217728\n"}, want: 80 * mib},
		{name: "cgroup v2, 1 GiB: three quarters", files: map[string]string{v2: "1073741824\n"}, want: 768 * mib},
		{name: "cgroup v2, 64 MiB: half", files: map[string]string{v2: "67108864"}, want: 32 * mib},
		{name: "cgroup v1, 512 MiB", files: map[string]string{v1: "536870912\n"}, want: 384 * mib},
		{name: "cgroup v1 unlimited", files: map[string]string{v1: "9223372036854771712\n"}},
		{name: "garbage", files: map[string]string{v2: "lots\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := memoryLimitOf(tc.flag, tc.gomemlimit, files(tc.files))
			if (err != nil) != tc.bad || got != tc.want {
				t.Errorf("memoryLimitOf(%q, %q) = %d MiB, %v; want %d MiB", tc.flag, tc.gomemlimit, got/mib, err, tc.want/mib)
			}
		})
	}
	if _, _, err := memoryLimitOf("", "", func(string) ([]byte, error) { return nil, errors.New("permission denied") }); err != nil {
		t.Errorf("an unreadable cgroup file: %v", err)
	}
}
