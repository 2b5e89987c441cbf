package text

import "testing"

func TestOneLine(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "Vélo cargo", "Vélo cargo"},
		{"breaks and tabs", " a\nb\r\nc\td ", "a b  c d"},
		{"controls", "a\x00b\x1bc\u0085", "abc"},
		{"invalid utf-8", "a\xffb", "ab"},
		{"empty", " \n ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OneLine(tc.in); got != tc.want {
				t.Errorf("OneLine(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
