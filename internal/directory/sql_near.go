package directory

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// The rows of a "near me" page are read with their 15 text columns packed
// into one: both drivers hand database/sql each column as a fresh string
// in a fresh interface, two allocations per text column of each of the 22
// rows, which were 70 % of a "near me"'s allocations (bench/README.md, the
// 26 November afternoon round). Each text is spelled as its length in
// bytes, a colon and itself, so any content reads back exactly; the fields
// are substrings of the one string.

// packedTexts lists, in order, the text columns packedColumns packs.
var packedTexts = [...]string{"name", "summary", "description", "categories", "tags", "kind", "address",
	"opening_hours", "website", "email", "phone", "commons", "status", "reject_reason", "source_key"}

// packedColumns is the select list scanPacked reads: the numbers and
// times as themselves, then the packed texts.
var packedColumns = func() string {
	var b strings.Builder
	b.WriteString(`i.id, i.territory_id, i.lat, i.lon, COALESCE(i.organisation_id, 0), COALESCE(i.mapjam_id, 0),
	COALESCE(i.created_by, 0), i.created_at, i.updated_at, i.revision, `)
	// One concat() rather than 44 "||": SQLite grows the value at each
	// "||", a tenth of the read's CPU.
	b.WriteString("concat(")
	for k, c := range packedTexts {
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "octet_length(i.%s), ':', i.%s", c, c)
	}
	return b.String() + ")"
}()

// sqlitePackedColumns reads the times as text (see sqliteInitiativeColumns).
var sqlitePackedColumns = strings.Replace(packedColumns, "i.created_at, i.updated_at",
	"CAST(i.created_at AS TEXT), CAST(i.updated_at AS TEXT)", 1)

// packedCols is packedColumns for the store's dialect.
func (s *SQLStore) packedCols() string {
	if s.postgres() {
		return packedColumns
	}
	return sqlitePackedColumns
}

// packedHits runs q, whose select list is packedCols(), and reads at most
// n rows (the size of the page's one block of initiatives).
func (s *SQLStore) packedHits(ctx context.Context, n int, q string, args ...any) ([]Hit, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	block := make([]Initiative, 0, n)
	out := make([]Hit, 0, n)
	for rows.Next() {
		var in *Initiative
		if len(block) < cap(block) {
			block = block[:len(block)+1]
			in = &block[len(block)-1]
		} else {
			in = new(Initiative)
		}
		if err := scanPacked(rows, in); err != nil {
			return nil, err
		}
		out = append(out, Hit{Initiative: in})
	}
	return out, rows.Err()
}

func scanPacked(rows *sql.Rows, in *Initiative) error {
	var packed string
	if err := rows.Scan(&in.ID, &in.TerritoryID, &in.Position.Lat, &in.Position.Lon, &in.OrganisationID, &in.MapJamID,
		&in.CreatedBy, dbTime{&in.CreatedAt}, dbTime{&in.UpdatedAt}, &in.Revision, &packed); err != nil {
		return err
	}
	var f [len(packedTexts)]string
	rest := packed
	for k := range f {
		colon := strings.IndexByte(rest, ':')
		n, err := strconv.Atoi(rest[:max(colon, 0)])
		if colon < 0 || err != nil || n < 0 || n > len(rest)-colon-1 {
			return fmt.Errorf("initiative %d: packed %s: malformed", in.ID, packedTexts[k])
		}
		f[k], rest = rest[colon+1:colon+1+n], rest[colon+1+n:]
	}
	in.Name, in.Summary, in.Description, in.Kind, in.Address = f[0], f[1], f[2], Kind(f[5]), f[6]
	in.Website, in.Email, in.Phone, in.Status, in.RejectReason, in.SourceKey = f[8], f[9], f[10], Status(f[12]), f[13], f[14]
	return in.setStored(f[3], f[4], f[7], f[11])
}
