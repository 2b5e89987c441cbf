package directory

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/store"
)

// A "near me" page's rows are read as one value: each row's 25 fields
// packed into one text, and the rows aggregated into one, so that the
// driver hands database/sql one column of one row instead of 11 columns
// of 22 rows. Each column was a fresh value in a fresh interface (the
// numbers boxed, the texts copied), and each row a step of the driver's
// Next and Scan: 260 of a page's 330 allocations (bench/README.md, "near
// me" with headroom: session 7). The numbers, floats and times come first,
// comma-separated; each text is spelled as its length in bytes, a colon
// and itself, so any content reads back exactly; the texts are substrings
// of the one string. PostgreSQL outside a transaction reads rows through
// pgx instead (publishedByIDsPostgres).

// packedTexts lists, in order, the text columns a page packs after its
// numbers and times.
var packedTexts = [...]string{"name", "summary", "description", "categories", "tags", "kind", "address",
	"opening_hours", "website", "email", "phone", "commons", "status", "reject_reason", "source_key"}

// The fields before packedTexts, in order.
const (
	pageID = iota
	pageTerritory
	pageLat
	pageLon
	pageOrganisation
	pageMapJam
	pageCreatedBy
	pageCreatedAt
	pageUpdatedAt
	pageRevision
	pageTexts
)

// pageFieldCount is the number of fields a row of a page packs.
const pageFieldCount = pageTexts + len(packedTexts)

// pageRow is the SQL expression of one packed row, in a dialect whose
// floats and times are spelled by the functions given: the numbers,
// floats and times first, each followed by a comma (none holds one), then
// the texts framed (see framed). Floats and times are where the dialects
// differ: SQLite spells a REAL as text exactly (it round-trips since
// 3.43) and keeps times as text; PostgreSQL's text of a float depends on
// extra_float_digits and of a time on DateStyle and TimeZone, so there a
// float is its eight bytes in hex and a time is spelled in UTC by
// to_char, whatever the session's settings. concat() spells the numbers
// itself: a CAST and a length of each cost SQLite a fifth of the read.
func pageRow(float, tm func(col string) string) string {
	heads := []string{"i.id", "i.territory_id", float("i.lat"), float("i.lon"),
		"COALESCE(i.organisation_id, 0)", "COALESCE(i.mapjam_id, 0)", "COALESCE(i.created_by, 0)",
		tm("i.created_at"), tm("i.updated_at"), "i.revision"}
	texts := make([]string, len(packedTexts))
	for k, c := range packedTexts {
		texts[k] = "i." + c
	}
	return "concat(" + strings.Join(heads, ", ',', ") + ", ',', " + strings.TrimPrefix(framed(texts), "concat(")
}

// framed is the SQL text of exprs, each spelled as its length in bytes, a
// colon and itself, in one concat(): SQLite grows the value at each "||"
// (a tenth of the read's CPU with 44 of them). PostgreSQL's concat takes
// at most 100 arguments: 65 for a packed row.
func framed(exprs []string) string {
	var b strings.Builder
	b.WriteString("concat(")
	for k, e := range exprs {
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "octet_length(%s), ':', %s", e, e)
	}
	return b.String() + ")"
}

// sqlitePage and postgresPage select a page's packed rows as one text
// (the empty text for none).
var (
	sqlitePage = "COALESCE(group_concat(" + pageRow(
		func(c string) string { return c },
		func(c string) string { return c }) + ", ''), '')"
	postgresPage = "COALESCE(string_agg(" + pageRow(
		func(c string) string { return "encode(float8send(" + c + "), 'hex')" },
		func(c string) string { return "to_char(" + c + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` }) + ", ''), '')"
)

// sqlitePublishedByIDs takes the ids as one text, "1,2,3" (see idList),
// read as a JSON array: one text to bind instead of 22 boxed integers, and
// one statement text whatever their number. SQLite reads json_each into a
// small table, then looks each id up by primary key
// (TestPublishedByIDsPlan).
var sqlitePublishedByIDs = `SELECT ` + sqlitePage + ` FROM initiatives i
	WHERE +i.territory_id = ? AND +i.status = 'published' AND i.id IN (SELECT value FROM json_each('[' || ? || ']'))`

// idList spells ids comma-separated, the one parameter by which both
// dialects take a page's ids (pgx encodes a []int64 boxing each element).
func idList(ids []int64) string {
	b := make([]byte, 0, len(ids)*8)
	for k, id := range ids {
		if k > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(b)
}

// pageHits runs q, which selects one packed page (sqlitePage or
// postgresPage), and decodes it into a page of the store's; n is the
// number of rows expected at most.
func (s *SQLStore) pageHits(ctx context.Context, n int, q string, args ...any) (*Page, error) {
	var text string
	if err := s.q.QueryRow(ctx, q, args...).Scan(&text); err != nil {
		return nil, err
	}
	p := newPage(s.pages, n)
	if err := p.decode(text, s.postgres()); err != nil {
		p.Release()
		return nil, err
	}
	return p, nil
}

// decode reads the rows of a packed page into p, its texts substrings of
// page. hexFloats says the floats are spelled as PostgreSQL's float8send
// in hex.
func (p *Page) decode(page string, hexFloats bool) error {
	var f [pageFieldCount]string
	for rest := page; rest != ""; {
		for k := range pageTexts {
			comma := strings.IndexByte(rest, ',')
			if comma < 0 {
				return fmt.Errorf("near page: row %d: field %d: malformed", len(p.Hits), k)
			}
			f[k], rest = rest[:comma], rest[comma+1:]
		}
		var err error
		if rest, err = unpack(rest, f[pageTexts:]); err != nil {
			return fmt.Errorf("near page: row %d: %w", len(p.Hits), err)
		}
		in := p.next()
		if err := in.setPage(&f, hexFloats, &p.lists); err != nil {
			return err
		}
		p.Hits = append(p.Hits, Hit{Initiative: in})
	}
	return nil
}

// unpack reads len(f) framed fields from the start of s into f (substrings
// of s) and returns the rest.
func unpack(s string, f []string) (string, error) {
	for k := range f {
		colon := strings.IndexByte(s, ':')
		m, err := strconv.Atoi(s[:max(colon, 0)])
		if colon < 0 || err != nil || m < 0 || m > len(s)-colon-1 {
			return "", fmt.Errorf("field %d: malformed", k)
		}
		f[k], s = s[colon+1:colon+1+m], s[colon+1+m:]
	}
	return s, nil
}

// setPage sets in from the fields of one packed row.
func (in *Initiative) setPage(f *[pageFieldCount]string, hexFloats bool, lists *[]string) error {
	var err error
	ints := [...]struct {
		dst *int64
		k   int
	}{{&in.ID, pageID}, {&in.TerritoryID, pageTerritory}, {&in.OrganisationID, pageOrganisation},
		{&in.MapJamID, pageMapJam}, {&in.CreatedBy, pageCreatedBy}}
	for _, x := range ints {
		if *x.dst, err = strconv.ParseInt(f[x.k], 10, 64); err != nil {
			return fmt.Errorf("near page: field %d: %w", x.k, err)
		}
	}
	if in.Revision, err = strconv.Atoi(f[pageRevision]); err != nil {
		return fmt.Errorf("initiative %d: revision: %w", in.ID, err)
	}
	if in.Position.Lat, err = pageFloat(f[pageLat], hexFloats); err != nil {
		return fmt.Errorf("initiative %d: lat: %w", in.ID, err)
	}
	if in.Position.Lon, err = pageFloat(f[pageLon], hexFloats); err != nil {
		return fmt.Errorf("initiative %d: lon: %w", in.ID, err)
	}
	if in.CreatedAt, err = store.ParseTime(f[pageCreatedAt]); err != nil {
		return fmt.Errorf("initiative %d: %w", in.ID, err)
	}
	if in.UpdatedAt, err = store.ParseTime(f[pageUpdatedAt]); err != nil {
		return fmt.Errorf("initiative %d: %w", in.ID, err)
	}
	return in.setTexts(f[pageTexts:], lists)
}

// setTexts sets in's packedTexts from t, in order, its lists appended to
// *lists (see splitListInto).
func (in *Initiative) setTexts(t []string, lists *[]string) error {
	in.Name, in.Summary, in.Description, in.Kind, in.Address = t[0], t[1], t[2], Kind(t[5]), t[6]
	in.Website, in.Email, in.Phone, in.Status, in.RejectReason, in.SourceKey = t[8], t[9], t[10], Status(t[12]), t[13], t[14]
	return in.setStoredLists(splitListInto(lists, t[3]), splitListInto(lists, t[4]), t[7], t[11])
}

// pageFloat reads a float of a packed row: SQLite's text, or PostgreSQL's
// eight bytes in hex.
func pageFloat(s string, hexFloats bool) (float64, error) {
	if !hexFloats {
		return strconv.ParseFloat(s, 64)
	}
	bits, err := strconv.ParseUint(s, 16, 64)
	if err != nil || len(s) != 16 {
		return 0, fmt.Errorf("float %q", s)
	}
	return math.Float64frombits(bits), nil
}
