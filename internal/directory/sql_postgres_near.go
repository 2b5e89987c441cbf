package directory

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// publishedByIDsPostgres is PublishedByIDs with the ids as one text made
// an array by the server (idList): one statement text whatever their
// number, so each connection prepares it once and binds one parameter
// instead of 23 for a "near me", which pgx would box one by one as an
// array of int8 (22 allocations).
//
// Outside a transaction the rows are read through pgx itself, in the
// binary form pgx asks for (rowsBinary): the numbers and times decoded
// straight into the initiative, the texts copied from the read buffer into
// the page's own text block, kept with the page for the next one (see
// Page). database/sql would box every column in an interface, and pgx's
// Scan plans its destinations anew for every query (1.1 kB a page). The
// server sends the columns as they are: framing the texts into one column
// as SQLite does (postgresPage) cost PostgreSQL 0.02-0.08 ms more a page,
// 30 functions a row (pgbench, 22 rows). Inside a transaction, whose
// connection pgx cannot be asked for, the page is read as one value.
func (s *SQLStore) publishedByIDsPostgres(ctx context.Context, territoryID int64, ids []int64) (*Page, error) {
	list := idList(ids)
	if s.inTx {
		return s.pageHits(ctx, len(ids), postgresPublishedByIDs, territoryID, list)
	}
	p := newPage(s.pages, len(ids))
	err := s.db.WithPgx(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, postgresRowsByIDs, territoryID, list)
		if err != nil {
			return err
		}
		defer rows.Close()
		if rowsBinary(rows.FieldDescriptions()) {
			for rows.Next() {
				if err := p.addBinaryRow(rows.RawValues()); err != nil {
					return err
				}
			}
			return rows.Err()
		}
		return p.scanRows(rows)
	})
	if err == nil {
		err = p.setTexts()
	}
	if err != nil {
		p.Release()
		return nil, err
	}
	return p, nil
}

// postgresPublishedByIDs reads a page as one value (see postgresPage).
var postgresPublishedByIDs = `SELECT ` + postgresPage + ` FROM initiatives i
	WHERE i.territory_id = ? AND i.status = 'published' AND i.id = ANY(CAST(string_to_array(?, ',') AS bigint[]))`

// postgresRowsByIDs reads a page's rows for pgx: PostgreSQL's own
// placeholders, the columns of a packed row (pageRow) as themselves.
var postgresRowsByIDs = `SELECT i.id, i.territory_id, i.lat, i.lon, COALESCE(i.organisation_id, 0), COALESCE(i.mapjam_id, 0),
	COALESCE(i.created_by, 0), i.created_at, i.updated_at, i.revision, i.` + strings.Join(packedTexts[:], ", i.") + ` FROM initiatives i
	WHERE i.territory_id = $1 AND i.status = 'published' AND i.id = ANY(CAST(string_to_array($2, ',') AS bigint[]))`

// The types of postgresRowsByIDs's columns, in order, as PostgreSQL sends
// them in binary.
var rowsByIDsTypes = func() []uint32 {
	t := []uint32{pgtype.Int8OID, pgtype.Int8OID, pgtype.Float8OID, pgtype.Float8OID, pgtype.Int8OID, pgtype.Int8OID,
		pgtype.Int8OID, pgtype.TimestamptzOID, pgtype.TimestamptzOID, pgtype.Int4OID}
	for range packedTexts {
		t = append(t, pgtype.TextOID)
	}
	return t
}()

// rowsBinary reports whether the rows come as rowsByIDsTypes, the numbers
// and times in binary, as pgx asks for them by default (a text is the
// same bytes in either form, and pgx asks for it as text); with the simple
// protocol (a default_query_exec_mode in the database URL, say for a
// pooler) every column comes as text, and scanRows reads them.
func rowsBinary(fields []pgconn.FieldDescription) bool {
	if len(fields) != len(rowsByIDsTypes) {
		return false
	}
	for k, f := range fields {
		if f.DataTypeOID != rowsByIDsTypes[k] || (k < pageTexts && f.Format != pgtype.BinaryFormatCode) {
			return false
		}
	}
	return true
}

// pgEpoch is the origin of PostgreSQL's binary times (microseconds).
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// addBinaryRow adds one row of postgresRowsByIDs in binary (rowsBinary) to
// the page: the numbers and times into the next initiative, the texts kept
// (keep).
func (p *Page) addBinaryRow(v [][]byte) error {
	for k := range pageTexts {
		n := 8
		if k == pageRevision {
			n = 4
		}
		if len(v[k]) != n {
			return fmt.Errorf("near page: row %d: column %d: %d bytes", len(p.Hits), k, len(v[k]))
		}
	}
	int8At := func(k int) int64 { return int64(binary.BigEndian.Uint64(v[k])) }
	in := p.next()
	in.ID, in.TerritoryID = int8At(pageID), int8At(pageTerritory)
	in.OrganisationID, in.MapJamID, in.CreatedBy = int8At(pageOrganisation), int8At(pageMapJam), int8At(pageCreatedBy)
	in.Position.Lat = math.Float64frombits(uint64(int8At(pageLat)))
	in.Position.Lon = math.Float64frombits(uint64(int8At(pageLon)))
	in.Revision = int(int32(binary.BigEndian.Uint32(v[pageRevision])))
	for k, dst := range [...]*time.Time{&in.CreatedAt, &in.UpdatedAt} {
		us := int8At(pageCreatedAt + k)
		if us == math.MaxInt64 || us == math.MinInt64 {
			return fmt.Errorf("initiative %d: an infinite time", in.ID)
		}
		*dst = pgEpoch.Add(time.Duration(us) * time.Microsecond)
	}
	p.keep(in, v[pageTexts:])
	return nil
}

// keep adds in to the page's hits and its texts, in packedTexts's order,
// to the page's text block (setTexts sets them once the block is whole).
func (p *Page) keep(in *Initiative, texts [][]byte) {
	for _, t := range texts {
		p.text = append(p.text, t...)
		p.ends = append(p.ends, uint32(len(p.text)))
	}
	p.Hits = append(p.Hits, Hit{Initiative: in})
}

// scanRows adds the rows of postgresRowsByIDs to the page through pgx's
// Scan, whatever their format.
func (p *Page) scanRows(rows pgx.Rows) error {
	// Each text is the bytes of pgx's read buffer (pgtype.DriverBytes),
	// valid until the next row: keep copies them.
	var texts [len(packedTexts)][]byte
	dest := make([]any, pageTexts+len(texts))
	for k := range texts {
		dest[pageTexts+k] = (*pgtype.DriverBytes)(&texts[k])
	}
	for rows.Next() {
		in := p.next()
		dest[0], dest[1], dest[2], dest[3], dest[4], dest[5] = &in.ID, &in.TerritoryID, &in.Position.Lat, &in.Position.Lon, &in.OrganisationID, &in.MapJamID
		dest[6], dest[7], dest[8], dest[9] = &in.CreatedBy, &in.CreatedAt, &in.UpdatedAt, &in.Revision
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		p.keep(in, texts[:])
	}
	return rows.Err()
}

// setTexts sets the texts of p's initiatives from its text block, once
// every row is read: the block no longer grows, so its texts are strings
// over it without a copy, valid until the page is released.
func (p *Page) setTexts() error {
	all := unsafe.String(unsafe.SliceData(p.text), len(p.text))
	var texts [len(packedTexts)]string
	start := uint32(0)
	for r, h := range p.Hits {
		for k := range texts {
			end := p.ends[r*len(texts)+k]
			texts[k], start = all[start:end], end
		}
		if err := h.Initiative.setTexts(texts[:], &p.lists); err != nil {
			return err
		}
	}
	return nil
}
