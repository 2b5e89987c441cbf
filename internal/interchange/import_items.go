package interchange

import (
	"sort"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
)

// ImportItems pairs parsed rows with the errors the reader found in them,
// in the form the directory's Import takes. A row the reader could not
// turn into an initiative at all (a malformed CSV record, a GeoJSON member
// that is no Feature) still gets an entry carrying its errors, so that the
// import counts it as bad.
func ImportItems(items []Item, rowErrs []errs.FieldError) []directory.ImportItem {
	byRow := map[int][]errs.FieldError{}
	for _, e := range rowErrs {
		byRow[e.Row] = append(byRow[e.Row], e)
	}
	out := make([]directory.ImportItem, 0, len(items)+len(byRow))
	seen := make(map[int]bool, len(items))
	for _, it := range items {
		seen[it.Row] = true
		out = append(out, directory.ImportItem{Row: it.Row, SourceKey: it.SourceKey, Initiative: it.Initiative, Errors: byRow[it.Row]})
	}
	for _, e := range rowErrs {
		if !seen[e.Row] {
			seen[e.Row] = true
			out = append(out, directory.ImportItem{Row: e.Row, Errors: byRow[e.Row]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	return out
}
