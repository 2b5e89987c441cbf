package mobility

import (
	"context"
	"fmt"
	"strings"

	"github.com/sharingcity/sharingcity/internal/store"
)

// candidatesSpan is the index read of one span of departures. The CROSS
// JOINs fix SQLite's join order: the drop-off's cell is checked before the
// occurrence and trip rows are read, through the search index (cell, then
// the same departure time) rather than the primary key ("+" keeps SQLite
// off it): its probes then stay within the few index pages of B's cell and
// window instead of one random page of the whole table each.
const candidatesSpan = `SELECT o.id, o.trip_id, o.is_return, o.departs_at, o.local_date, o.local_time, o.zone, o.seats_left,
			t.max_detour, t.from_lat, t.from_lon, t.to_lat, t.to_lon, t.route_seconds, t.polyline
		FROM trip_cells a
		CROSS JOIN trip_cells b
		CROSS JOIN trip_occurrences o
		CROSS JOIN trips t
		WHERE a.territory_id = ? AND a.cell = ? AND a.departs_at >= ? AND a.departs_at <= ?
		  AND b.territory_id = a.territory_id AND b.cell = ? AND b.departs_at = a.departs_at AND +b.occurrence_id = a.occurrence_id
		  AND o.id = a.occurrence_id AND o.status = 'active'
		  AND t.id = o.trip_id AND t.status = 'active' AND t.kind IN (%s)%s
		ORDER BY a.departs_at LIMIT ?`

// CandidatesIn reads only what the exact check needs; the search reads the
// whole trips of its matches afterwards (TripsByID).
//
// Several spans (a date range's daily windows) are one statement, the
// UNION ALL of each span's read: each is the same short index range seek
// as a one-window search, with its own LIMIT. (One read of the whole range
// filtered by the spans read up to twelve times more index entries, and
// SQLite then planned it as a multi-index OR sorted before its LIMIT:
// twice the CPU of the searches of one day each.)
func (s *SQLStore) CandidatesIn(ctx context.Context, territoryID int64, f CandidateFilter) ([]Candidate, error) {
	if len(f.Spans) == 0 || len(f.Kinds) == 0 {
		return []Candidate{}, nil
	}
	filter := ""
	switch f.Frequency {
	case Punctual:
		filter = " AND t.weekly = ''"
	case Regular:
		filter = " AND t.weekly <> ''"
	}
	one := fmt.Sprintf(candidatesSpan, store.Placeholders(len(f.Kinds)), filter)
	query := one
	if len(f.Spans) > 1 {
		query = strings.Repeat("SELECT * FROM ("+one+") s UNION ALL ", len(f.Spans)-1) + "SELECT * FROM (" + one + ") s"
	}
	args := make([]any, 0, len(f.Spans)*(6+len(f.Kinds)))
	for _, sp := range f.Spans {
		args = append(args, territoryID, f.CellA, utc(sp.From), utc(sp.To), f.CellB)
		for _, k := range f.Kinds {
			args = append(args, k)
		}
		args = append(args, f.Limit)
	}
	rows, err := s.q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Candidate{}
	for rows.Next() {
		c := Candidate{Trip: &Trip{}}
		o, t := &c.Occurrence, c.Trip
		var line string
		if err := rows.Scan(&o.ID, &o.TripID, &o.Return, &o.DepartsAt, &o.LocalDate, &o.LocalTime, &o.Zone, &o.SeatsLeft,
			&t.MaxDetour, &t.From.Lat, &t.From.Lon, &t.To.Lat, &t.To.Lon, &t.RouteSeconds, &line); err != nil {
			return nil, err
		}
		if t.Polyline, err = decodeLine(line); err != nil {
			return nil, fmt.Errorf("trip %d: polyline: %w", o.TripID, err)
		}
		t.ID, t.TerritoryID, o.TerritoryID, o.Status = o.TripID, territoryID, territoryID, TripActive
		o.DepartsAt = o.DepartsAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *SQLStore) TripsByID(ctx context.Context, territoryID int64, ids []int64) (map[int64]*Trip, error) {
	out := make(map[int64]*Trip, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{territoryID}
	for _, id := range ids {
		args = append(args, id)
	}
	list, err := s.trips(ctx, `SELECT `+tripColumns+` FROM trips t WHERE t.territory_id = ? AND t.id IN (`+store.Placeholders(len(ids))+`)`, args...)
	for _, t := range list {
		out[t.ID] = t
	}
	return out, err
}
