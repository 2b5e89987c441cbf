// Package text cleans what members type before it is stored.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// OneLine strips control characters and invalid bytes and turns line
// breaks and tabs into spaces: for one-line fields (names, labels, reasons).
func OneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || r == utf8.RuneError:
			return -1
		}
		return r
	}, s))
}
