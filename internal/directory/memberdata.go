package directory

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
)

// MemberData is what the directory keeps about one member, for their right
// of access (GDPR art. 15): what they contributed, changed and reported.
// Other members' names never appear in it.
type MemberData struct {
	Initiatives []MemberInitiative `json:"initiatives_contributed"`
	Revisions   []MemberRevision   `json:"changes_proposed"`
	Reports     []MemberReport     `json:"reports_made"`
}

// MemberInitiative is an initiative the member contributed.
type MemberInitiative struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"territory_id"`
	Name        string    `json:"name"`
	Status      Status    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

// MemberRevision is a change the member wrote.
type MemberRevision struct {
	InitiativeID int64          `json:"initiative_id"`
	Number       int            `json:"number"`
	Status       RevisionStatus `json:"status"`
	Comment      string         `json:"comment,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
}

// MemberReport is a report the member made.
type MemberReport struct {
	InitiativeID int64      `json:"initiative_id"`
	Reason       string     `json:"reason"`
	CreatedAt    time.Time  `json:"created_at"`
	ResolvedAt   *time.Time `json:"resolved_at,omitempty"`
}

// DataOf returns the actor's own directory data; nobody may read another's.
func (s *Service) DataOf(ctx context.Context, actor access.Actor) (*MemberData, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	d, err := s.store.MemberData(ctx, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("directory: data of member %d: %w", actor.UserID, err)
	}
	return d, nil
}

// MemberData reads one member's rows in every territory.
func (s *SQLStore) MemberData(ctx context.Context, userID int64) (*MemberData, error) {
	d := &MemberData{Initiatives: []MemberInitiative{}, Revisions: []MemberRevision{}, Reports: []MemberReport{}}
	err := collect(ctx, s.q, `SELECT id, territory_id, name, status, created_at FROM initiatives WHERE created_by = ? ORDER BY id`,
		[]any{userID}, func(sc store.Scanner) error {
			var m MemberInitiative
			if err := sc.Scan(&m.ID, &m.TerritoryID, &m.Name, &m.Status, &m.CreatedAt); err != nil {
				return err
			}
			d.Initiatives = append(d.Initiatives, m)
			return nil
		})
	if err == nil {
		err = collect(ctx, s.q, `SELECT initiative_id, number, status, comment, created_at FROM initiative_revisions WHERE author_id = ? ORDER BY initiative_id, number`,
			[]any{userID}, func(sc store.Scanner) error {
				var m MemberRevision
				if err := sc.Scan(&m.InitiativeID, &m.Number, &m.Status, &m.Comment, &m.CreatedAt); err != nil {
					return err
				}
				d.Revisions = append(d.Revisions, m)
				return nil
			})
	}
	if err == nil {
		err = collect(ctx, s.q, `SELECT initiative_id, reason, created_at, resolved_at FROM reports WHERE reporter_id = ? ORDER BY id`,
			[]any{userID}, func(sc store.Scanner) error {
				var m MemberReport
				if err := sc.Scan(&m.InitiativeID, &m.Reason, &m.CreatedAt, &m.ResolvedAt); err != nil {
					return err
				}
				d.Reports = append(d.Reports, m)
				return nil
			})
	}
	return d, err
}

func collect(ctx context.Context, q store.Querier, query string, args []any, row func(store.Scanner) error) error {
	return store.Collect(ctx, q, query, args, row)
}
