package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Partner platforms (issue 6): a resident's search also asks the
// territory's enabled partner platforms through their RDEX endpoint
// (internal/rdex, Asker), while the site's own search runs. Their journeys
// are shown apart, each with a link to its page on the partner's site; a
// partner that fails or is slow is left out after 1.5 s at most, and
// logged. What leaves: the two points rounded to about 200 m, the day and
// the window of departure times, and our API key; no member's data.

// askPartners starts asking the partners for q and returns what waits for
// their answers: empty without partners, or for a query the site's own
// search refuses anyway. The service decides the day and window asked.
func (s *Server) askPartners(r *http.Request, ter *territory.Territory, q mobility.Query) func() []rdex.PartnerJourney {
	none := func() []rdex.PartnerJourney { return []rdex.PartnerJourney{} }
	if s.Partners == nil {
		return none
	}
	ask, err := s.Mobility.PartnerAsk(ter, q)
	if err != nil {
		return none
	}
	return s.Partners.Start(r.Context(), rdex.PartnerSearch{TerritoryID: ter.ID, Drivers: ask.Drivers,
		From: rdex.Point{Lat: q.From.Lat, Lon: q.From.Lon}, To: rdex.Point{Lat: q.To.Lat, Lon: q.To.Lon},
		Day: ask.Day, MinTime: ask.Window.Min, MaxTime: ask.Window.Max})
}

// partnerRow is a partner's journey on the search page.
type partnerRow struct {
	rdex.PartnerJourney
	When  string
	Price string
}

func partnerRows(js []rdex.PartnerJourney, loc *time.Location) []partnerRow {
	out := make([]partnerRow, 0, len(js))
	for _, j := range js {
		row := partnerRow{PartnerJourney: j}
		if j.Departure != nil {
			row.When = j.Departure.In(loc).Format("02/01/2006 15:04")
		}
		if j.Price != nil {
			row.Price = strconv.FormatFloat(*j.Price, 'f', 2, 64)
		}
		out = append(out, row)
	}
	return out
}
