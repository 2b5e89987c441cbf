package interchange

import (
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
)

// ImportItems turns parsed rows into the directory's import items, each
// carrying the errors the reader found in it, so that the directory service
// judges every row (readable or not) in one pass: with --skip-invalid it
// writes the good ones, otherwise nothing when any row is bad.
func ImportItems(items []Item, rowErrs []errs.FieldError) []directory.ImportItem {
	byRow := map[int][]errs.FieldError{}
	for _, e := range rowErrs {
		byRow[e.Row] = append(byRow[e.Row], e)
	}
	out := make([]directory.ImportItem, 0, len(items))
	seen := map[int]bool{}
	for _, it := range items {
		seen[it.Row] = true
		out = append(out, directory.ImportItem{Row: it.Row, SourceKey: it.SourceKey, Initiative: it.Initiative, Errors: byRow[it.Row]})
	}
	// A row the reader reported but could not turn into an item at all
	// still counts, so that it is named in the result.
	for row, fe := range byRow {
		if !seen[row] {
			out = append(out, directory.ImportItem{Row: row, Errors: fe})
		}
	}
	return out
}
