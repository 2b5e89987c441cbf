package mobility

import (
	"context"
	"fmt"
	"strings"

	"github.com/sharingcity/sharingcity/internal/store"
)

// CandidatesIn reads only what the exact check needs; the search reads the
// whole trips of its matches afterwards (TripsByID). The CROSS JOINs fix
// SQLite's join order: the drop-off's cell is checked before the
// occurrence and trip rows are read, through the search index (cell, then
// the same departure time) rather than the primary key ("+" keeps SQLite
// off it): its probes then stay within the few index pages of B's cell and
// window instead of one random page of the whole table each.
//
// Several spans (a date range's daily windows) are one range read of the
// pickup cell's entries from the first span's start to the last one's end,
// each entry's departure then tested against the spans: still in departure
// order, so the LIMIT stops the read early, and the spans' tests run on the
// index entry before any other row is read.
func (s *SQLStore) CandidatesIn(ctx context.Context, territoryID int64, f CandidateFilter) ([]Candidate, error) {
	if len(f.Spans) == 0 || len(f.Kinds) == 0 {
		return []Candidate{}, nil
	}
	first, last := f.Spans[0].From, f.Spans[len(f.Spans)-1].To
	args := make([]any, 0, 6+2*len(f.Spans)+len(f.Kinds))
	args = append(args, territoryID, f.CellA, utc(first), utc(last))
	var spans, filter strings.Builder
	if len(f.Spans) > 1 {
		spans.WriteString(" AND (")
		for i, sp := range f.Spans {
			if i > 0 {
				spans.WriteString(" OR ")
			}
			spans.WriteString("a.departs_at BETWEEN ? AND ?")
			args = append(args, utc(sp.From), utc(sp.To))
		}
		spans.WriteString(")")
	}
	args = append(args, f.CellB)
	switch f.Frequency {
	case Punctual:
		filter.WriteString(" AND t.weekly = ''")
	case Regular:
		filter.WriteString(" AND t.weekly <> ''")
	}
	for _, k := range f.Kinds {
		args = append(args, k)
	}
	args = append(args, f.Limit)
	rows, err := s.q.Query(ctx, `SELECT o.id, o.trip_id, o.is_return, o.departs_at, o.local_date, o.local_time, o.zone, o.seats_left,
			t.max_detour, t.from_lat, t.from_lon, t.to_lat, t.to_lon, t.route_seconds, t.polyline
		FROM trip_cells a
		CROSS JOIN trip_cells b
		CROSS JOIN trip_occurrences o
		CROSS JOIN trips t
		WHERE a.territory_id = ? AND a.cell = ? AND a.departs_at >= ? AND a.departs_at <= ?`+spans.String()+`
		  AND b.territory_id = a.territory_id AND b.cell = ? AND b.departs_at = a.departs_at AND +b.occurrence_id = a.occurrence_id
		  AND o.id = a.occurrence_id AND o.status = 'active'
		  AND t.id = o.trip_id AND t.status = 'active' AND t.kind IN (`+store.Placeholders(len(f.Kinds))+`)`+filter.String()+`
		ORDER BY a.departs_at LIMIT ?`, args...)
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
