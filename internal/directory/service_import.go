package directory

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// ImportExtension writes what an imported row carries beyond its
// initiative (a carpool area's schema fields, say): Import calls it inside
// its transaction, with the row's initiative as written (created, updated
// or unchanged), so that a failure rolls the whole import back. The import
// itself knows nothing of what it writes.
type ImportExtension func(ctx context.Context, tx Store, ter *territory.Territory, in *Initiative) error

// sameNameRadiusM is how close an imported row without a source key must be
// to an entry of the same name to be taken for it.
const sameNameRadiusM = 50

// Import writes parsed rows as published initiatives. Every row is checked
// first; when any is bad and skipInvalid is false nothing is written and
// the result lists the errors. Good rows are written in one transaction. A
// row matching an existing entry (same source key or, without one, same
// name within 50 m) updates it with a new revision instead of duplicating
// it; a match whose content is already the same is left alone.
// Moderators' decisions stick: a matched entry that was archived or
// rejected gets the new content but keeps its status.
func (s *Service) Import(ctx context.Context, actor access.Actor, ter *territory.Territory, items []ImportItem, skipInvalid bool) (ImportResult, error) {
	var res ImportResult
	if err := requireModerator(actor, ter); err != nil {
		return res, err
	}
	good := make([]ImportItem, 0, len(items))
	for _, it := range items {
		it.SourceKey = strings.TrimSpace(it.SourceKey)
		err := validate(ter, &it.Initiative)
		if utf8.RuneCountInString(it.SourceKey) > 200 {
			err = errs.Fields(append(fieldErrors(err), errs.FieldError{Field: "source_key", Key: "err.too_long", Args: map[string]any{"Max": 200}}))
		}
		if len(it.Errors) > 0 {
			err = errs.Fields(append(append([]errs.FieldError(nil), it.Errors...), fieldErrors(err)...))
		}
		if err != nil {
			fe := fieldErrors(err)
			if fe == nil {
				return res, err
			}
			for _, f := range fe {
				f.Row = it.Row
				res.Errors = append(res.Errors, f)
			}
			res.Skipped++
			continue
		}
		good = append(good, it)
	}
	if len(res.Errors) > 0 && !skipInvalid {
		res.Skipped = 0
		return res, &errs.Error{Kind: errs.Invalid, Key: "err.import_invalid", Fields: res.Errors,
			Args: map[string]any{"Count": len(res.Errors)}}
	}
	now := s.clock()
	var counts ImportResult
	err := s.store.WithTx(ctx, func(tx Store) error {
		counts = ImportResult{}
		for i := range good {
			in, err := s.importOne(ctx, tx, actor, ter, &good[i], now, &counts)
			if err == nil && good[i].Extension != nil {
				err = good[i].Extension(ctx, tx, ter, in)
			}
			if err != nil {
				return fmt.Errorf("row %d: %w", good[i].Row, err)
			}
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("directory: import into %s: %w", ter.Slug, err)
	}
	res.Created, res.Updated, res.Unchanged = counts.Created, counts.Updated, counts.Unchanged
	s.log.InfoContext(ctx, "directory: import", "territory", ter.Slug, "created", res.Created,
		"updated", res.Updated, "unchanged", res.Unchanged, "skipped", res.Skipped)
	if res.Created+res.Updated > 0 {
		s.changed(ctx, ter)
	}
	return res, nil
}

func fieldErrors(err error) []errs.FieldError {
	if e, ok := errs.As(err); ok && e.Kind == errs.Invalid {
		if len(e.Fields) > 0 {
			return e.Fields
		}
		return []errs.FieldError{{Field: "", Key: e.Key}}
	}
	return nil
}

// match finds the entry an imported row stands for, or nil.
func match(ctx context.Context, tx Store, ter *territory.Territory, it *ImportItem) (*Initiative, error) {
	if it.SourceKey != "" {
		in, err := tx.BySourceKey(ctx, ter.ID, it.SourceKey)
		if err == nil || !errs.Is(err, errs.NotFound) {
			return in, err
		}
	}
	same, err := tx.ByNameKey(ctx, ter.ID, nameKey(it.Initiative.Name))
	if err != nil {
		return nil, err
	}
	for _, in := range same {
		// A row with a key only takes over an entry that has none.
		if it.SourceKey != "" && in.SourceKey != "" {
			continue
		}
		if geo.Distance(in.Position, it.Initiative.Position) <= sameNameRadiusM {
			return in, nil
		}
	}
	return nil, nil
}

// importOne writes one row and returns its initiative as stored.
func (s *Service) importOne(ctx context.Context, tx Store, actor access.Actor, ter *territory.Territory, it *ImportItem, now time.Time, counts *ImportResult) (*Initiative, error) {
	in := it.Initiative
	old, err := match(ctx, tx, ter, it)
	if err != nil {
		return nil, err
	}
	if old == nil {
		in.ID, in.TerritoryID, in.CreatedBy, in.SourceKey = 0, ter.ID, actor.UserID, it.SourceKey
		in.Status, in.RejectReason, in.MapJamID = StatusPublished, "", 0
		if it.MapJamID != 0 {
			if _, err := tx.GetMapJam(ctx, ter.ID, it.MapJamID); err != nil {
				return nil, err
			}
			in.MapJamID = it.MapJamID
		}
		in.CreatedAt, in.UpdatedAt, in.Revision = now, now, 1
		if err := tx.Insert(ctx, &in); err != nil {
			return nil, err
		}
		counts.Created++
		return &in, tx.InsertRevision(ctx, &Revision{InitiativeID: in.ID, TerritoryID: ter.ID, Number: 1,
			AuthorID: actor.UserID, CreatedAt: now, Status: RevisionApplied, Content: in, Comment: "import"})
	}
	statusChange := old.Status == StatusPending
	keyChange := old.SourceKey == "" && it.SourceKey != ""
	if len(Diff(old, &in)) == 0 && !statusChange {
		if keyChange {
			old.SourceKey = it.SourceKey
			if err := tx.Update(ctx, old); err != nil {
				return nil, err
			}
		}
		counts.Unchanged++
		return old, nil
	}
	if statusChange {
		old.Status = StatusPublished
	}
	if keyChange {
		old.SourceKey = it.SourceKey
	}
	n, err := tx.NextRevisionNumber(ctx, ter.ID, old.ID)
	if err != nil {
		return nil, err
	}
	contentOf(&in).applyTo(old)
	old.Revision, old.UpdatedAt = n, now
	if err := tx.Update(ctx, old); err != nil {
		return nil, err
	}
	counts.Updated++
	return old, tx.InsertRevision(ctx, &Revision{InitiativeID: old.ID, TerritoryID: ter.ID, Number: n,
		AuthorID: actor.UserID, CreatedAt: now, Status: RevisionApplied, Content: in, Comment: "import"})
}
