package interchange

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Each calls yield for every initiative to write, in order, stopping at the
// first error. Writers stream: they never hold more than one initiative.
type Each func(yield func(*directory.Initiative) error) error

// WriteOptions tune the writers.
type WriteOptions struct {
	// BaseURL ("https://partage.example.org") makes page links absolute;
	// empty leaves them relative ("/t/demo/initiatives/12").
	BaseURL string
}

// PageURL is the address of an initiative's page.
func PageURL(base, territorySlug string, id int64) string {
	return strings.TrimRight(base, "/") + "/t/" + territorySlug + "/initiatives/" + strconv.FormatInt(id, 10)
}

// public reports whether an initiative may leave the platform. Callers pass
// published initiatives; this is the last guard against leaking pending or
// rejected contributions (an empty status is a caller-built value).
func public(in *directory.Initiative) bool {
	return in.Status == directory.StatusPublished || in.Status == ""
}

// CSVHeader is the header WriteCSV writes; ReadCSV matches every column.
var CSVHeader = []string{
	"id", "name", "summary", "description", "categories", "tags", "kind", "address",
	"latitude", "longitude", "opening_hours", "website", "email", "phone",
	"resource", "community", "governance", "page_url",
}

// WriteCSV writes UTF-8 CSV with a comma and a header. Lists are joined by
// "|" and opening hours use OpenStreetMap's syntax, so ReadCSV reads the file
// back to the same initiatives. Cells a spreadsheet would run as formulas
// get a leading "'", which ReadCSV removes.
func WriteCSV(w io.Writer, ter *territory.Territory, each Each, opts WriteOptions) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("interchange: write csv: %w", err)
	}
	rec := make([]string, len(CSVHeader))
	err := each(func(in *directory.Initiative) error {
		if !public(in) {
			return nil
		}
		rec[0] = strconv.FormatInt(in.ID, 10)
		rec[1] = escapeCell(in.Name)
		rec[2] = escapeCell(in.Summary)
		rec[3] = escapeCell(in.Description)
		rec[4] = joinList(in.Categories)
		rec[5] = joinList(in.Tags)
		rec[6] = string(in.Kind)
		rec[7] = escapeCell(in.Address)
		rec[8] = strconv.FormatFloat(in.Position.Lat, 'f', -1, 64)
		rec[9] = strconv.FormatFloat(in.Position.Lon, 'f', -1, 64)
		rec[10] = FormatOpeningHours(in.OpeningHours)
		rec[11] = escapeCell(in.Website)
		rec[12] = escapeCell(in.Email)
		rec[13] = escapeCell(in.Phone)
		rec[14] = escapeCell(in.Commons.Resource)
		rec[15] = escapeCell(in.Commons.Community)
		rec[16] = escapeCell(in.Commons.Governance)
		rec[17] = PageURL(opts.BaseURL, ter.Slug, in.ID)
		return cw.Write(rec)
	})
	if err != nil {
		return fmt.Errorf("interchange: write csv: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("interchange: write csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("interchange: write csv: %w", err)
	}
	return nil
}

// joinList joins with "|". A single value holding "," or ";" gets a
// trailing "|" so that splitList keeps it whole.
func joinList(list []string) string {
	s := escapeCell(strings.Join(list, "|"))
	if len(list) == 1 && strings.ContainsAny(s, ",;") {
		s += "|"
	}
	return s
}
