package interchange

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/errs"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

const peekSize = 256 << 10 // enough to judge encoding and delimiter

var errRecordTooLarge = errors.New("interchange: record too large")

// guardReader fails once too many bytes were read past the last complete
// record, so one endless field cannot fill memory.
type guardReader struct {
	r    io.Reader
	n    int64
	mark int64 // input offset at the end of the last complete record
}

func (g *guardReader) Read(p []byte) (int, error) {
	if g.n-g.mark > maxRecordBytes+peekSize {
		return 0, errRecordTooLarge
	}
	if len(p) > peekSize {
		p = p[:peekSize] // small steps, so the check above stays close to the limit
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

// ReadCSV parses a CSV file of initiatives. It detects the encoding (UTF-8,
// with or without BOM, UTF-16 with BOM, else Windows-1252), the delimiter (comma, semicolon or
// tab) and the header row (title lines above it are skipped), and matches
// columns by name with French and English synonyms unless opts.Map names
// them. Row errors name the 1-based data row, the field and an i18n key;
// err is set when the file as a whole cannot be used (no name or position
// column, too many rows or errors, unreadable input).
func ReadCSV(r io.Reader, opts CSVOptions) (items []Item, rowErrs []errs.FieldError, err error) {
	// Excel's "Unicode text" export is UTF-16 with a BOM: decode it to UTF-8
	// first, as everything below works on ASCII-compatible bytes.
	src := bufio.NewReader(r)
	if bom, _ := src.Peek(2); bytes.Equal(bom, []byte{0xff, 0xfe}) || bytes.Equal(bom, []byte{0xfe, 0xff}) {
		r = transform.NewReader(src, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	} else {
		r = src
	}
	guard := &guardReader{r: r}
	br := bufio.NewReaderSize(guard, peekSize)
	peek, perr := br.Peek(peekSize)
	if perr != nil && perr != io.EOF && !errors.Is(perr, bufio.ErrBufferFull) {
		return nil, nil, fmt.Errorf("interchange: read csv: %w", perr)
	}
	var offset int64
	cp1252 := false
	if bytes.HasPrefix(peek, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
		peek, offset = peek[3:], 3
	} else {
		cp1252 = !utf8.Valid(trimPartialRune(peek))
	}
	if len(bytes.TrimSpace(peek)) == 0 {
		return nil, nil, errs.E(errs.Invalid, "err.import_empty")
	}

	dec := charmap.Windows1252.NewDecoder()
	decode := func(s string) string {
		if cp1252 || !utf8.ValidString(s) {
			if t, err := dec.String(s); err == nil {
				return t
			}
			return string(bytes.ToValidUTF8([]byte(s), []byte("\uFFFD")))
		}
		return s
	}

	b := &rowBuilder{v: newVocab(), opts: opts}
	cr := csv.NewReader(br)
	cr.Comma = detectDelimiter(peek, decode, b.v.match, opts.Map)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	read := func() ([]string, error) {
		rec, err := cr.Read()
		guard.mark = cr.InputOffset() + offset
		return rec, err
	}
	var header []string
	var scanned [][]string // records read while looking for the header
	for len(scanned) < headerScan {
		rec, err := read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, csvFileError(err)
		}
		for i := range rec {
			rec[i] = cleanText(decode(rec[i]), false)
		}
		scanned = append(scanned, rec)
		if b.v.match.known(rec) >= 2 || (len(opts.Map) > 0 && hasAny(rec, opts.Map)) {
			header = rec
			break
		}
	}
	if header == nil {
		if len(scanned) == 0 {
			return nil, nil, errs.E(errs.Invalid, "err.import_empty")
		}
		// No row looks like a header: report against the first one.
		header, scanned = scanned[0], scanned[1:]
	} else {
		scanned = nil
	}
	cols, ferr := columns(b.v.match, header, opts.Map)
	if ferr != nil {
		return nil, nil, ferr
	}

	row := 0
	for {
		var rec []string
		if len(scanned) > 0 {
			rec, scanned = scanned[0], scanned[1:]
		} else {
			rec, err = read()
			if err == io.EOF {
				break
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) && !errors.Is(err, errRecordTooLarge) {
				row++
				b.errs = append(b.errs, errs.FieldError{Field: "row", Key: "err.csv_format", Row: row, Args: map[string]any{"Line": pe.Line}})
				if b.tooMany() {
					return items, b.errs, errs.E(errs.Invalid, "err.import_too_many_errors", "Max", MaxRowErrors)
				}
				continue
			}
			if err != nil {
				return nil, nil, csvFileError(err)
			}
			for i := range rec {
				rec[i] = decode(rec[i])
			}
		}
		row++
		if row > MaxRows {
			return nil, nil, errs.E(errs.Invalid, "err.import_too_many_rows", "Max", MaxRows)
		}
		raw := rawRow{row: row}
		for f, i := range cols {
			if i >= 0 && i < len(rec) {
				raw.text[f] = unescapeCell(rec[i])
				raw.column[f] = header[i]
			}
		}
		if raw.empty() {
			continue
		}
		items = append(items, b.build(&raw))
		if b.tooMany() {
			return items, b.errs, errs.E(errs.Invalid, "err.import_too_many_errors", "Max", MaxRowErrors)
		}
	}
	if row == 0 {
		return nil, nil, errs.E(errs.Invalid, "err.import_empty")
	}
	return items, b.errs, nil
}

func csvFileError(err error) error {
	if errors.Is(err, errRecordTooLarge) {
		return errs.E(errs.Invalid, "err.import_record_too_large", "Max", maxRecordBytes)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &errs.Error{Kind: errs.Invalid, Key: "err.csv_format", Args: map[string]any{"Line": pe.Line}, Err: err}
	}
	return fmt.Errorf("interchange: read csv: %w", err)
}

// columns matches the header and reports, as one Invalid error, what makes
// the file unusable: unknown --map keys or columns, no name, no position.
func columns(m *matcher, header []string, explicit map[string]string) ([numFields]int, error) {
	cols, missing, badKeys := m.assign(header, explicit)
	var fe []errs.FieldError
	for _, k := range badKeys {
		fe = append(fe, errs.FieldError{Field: k, Key: "err.import_field_unknown", Args: map[string]any{"Field": k}})
	}
	for _, c := range missing {
		fe = append(fe, errs.FieldError{Field: "map", Key: "err.import_column_unknown", Args: map[string]any{"Column": c}})
	}
	if cols[fName] < 0 {
		fe = append(fe, errs.FieldError{Field: "name", Key: "err.import_column_missing"})
	}
	if (cols[fLat] < 0 || cols[fLon] < 0) && cols[fGeo] < 0 {
		fe = append(fe, errs.FieldError{Field: "position", Key: "err.import_column_missing"})
	}
	if len(fe) > 0 {
		return cols, &errs.Error{Kind: errs.Invalid, Key: "err.import_columns", Fields: fe}
	}
	return cols, nil
}

func hasAny(rec []string, explicit map[string]string) bool {
	for _, col := range explicit {
		for _, c := range rec {
			if c == col || normName(c) == normName(col) && c != "" {
				return true
			}
		}
	}
	return false
}

// trimPartialRune drops a multi-byte sequence cut by the end of the peek, so
// it does not count as invalid UTF-8.
func trimPartialRune(p []byte) []byte {
	for i := 1; i <= 3 && i <= len(p); i++ {
		c := p[len(p)-i]
		if c < 0x80 {
			return p
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(p[len(p)-i:]) {
				return p[:len(p)-i]
			}
			return p
		}
	}
	return p
}

// detectDelimiter looks at the first lines for the header: the first line
// that, split by tab, semicolon or comma, names two known columns decides.
// Failing that, it counts delimiters outside quotes on the first line with
// three columns or more (a title line may sit above the header). Ties go to
// tab, then semicolon: a header holding as many commas as semicolons is
// French.
func detectDelimiter(p []byte, decode func(string) string, m *matcher, explicit map[string]string) rune {
	candidates := [3]rune{'\t', ';', ','}
	lines := firstLines(p, headerScan)
	for _, line := range lines {
		best, bestKnown := rune(0), 1
		for _, c := range candidates {
			cr := csv.NewReader(strings.NewReader(decode(line)))
			cr.Comma, cr.LazyQuotes, cr.FieldsPerRecord = c, true, -1
			rec, err := cr.Read()
			if err != nil || len(rec) < 2 {
				continue
			}
			n := m.known(rec)
			if len(explicit) > 0 && hasAny(rec, explicit) {
				n += 2
			}
			if n > bestKnown {
				best, bestKnown = c, n
			}
		}
		if best != 0 {
			return best
		}
	}
	var fallback rune
	for _, line := range lines {
		var counts [3]int
		inQuotes := false
		for i := 0; i < len(line); i++ {
			switch c := rune(line[i]); {
			case c == '"':
				inQuotes = !inQuotes
			case !inQuotes:
				for k, d := range candidates {
					if c == d {
						counts[k]++
					}
				}
			}
		}
		best := -1
		for k, n := range counts {
			if n > 0 && (best < 0 || n > counts[best]) {
				best = k
			}
		}
		switch {
		case best >= 0 && counts[best] >= 2:
			return candidates[best]
		case best >= 0 && fallback == 0:
			fallback = candidates[best]
		}
	}
	if fallback == 0 {
		return ','
	}
	return fallback
}

// firstLines splits the start of a file into up to n non-empty lines,
// keeping quoted line breaks inside their line.
func firstLines(p []byte, n int) []string {
	var lines []string
	start, inQuotes := 0, false
	for i := 0; i <= len(p) && len(lines) < n; i++ {
		if i < len(p) && p[i] == '"' {
			inQuotes = !inQuotes
		}
		if i == len(p) || (p[i] == '\n' && !inQuotes) {
			if line := strings.TrimRight(string(p[start:i]), "\r"); strings.TrimSpace(line) != "" {
				lines = append(lines, line)
			}
			start = i + 1
		}
	}
	return lines
}
