package mobility

import (
	"time"

	"github.com/sharingcity/sharingcity/internal/territory"
)

// PartnerAsk is what a resident's search asks other carpool platforms
// (the territory's RDEX partners, which the web layer asks while the
// site's own search runs): departures of one local day, in a window of
// times since its midnight.
type PartnerAsk struct {
	Day     time.Time // midnight of the day searched, in the territory's zone
	Window  DayWindow // departure times, since Day
	Drivers bool      // offers are searched (else requests)
}

// PartnerAsk returns what the search q asks partner platforms: ±Window
// around At (the service's SearchWindow by default, as for the site's own
// search), held to At's day in the territory since RDEX asks by day. A
// query the site's search refuses is refused here with the same error, so
// nothing leaves for it.
func (s *Service) PartnerAsk(ter *territory.Territory, q Query) (*PartnerAsk, error) {
	q, err := s.searchQuery(ter, q)
	if err != nil {
		return nil, err
	}
	at := q.At.In(ter.Location())
	day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, at.Location())
	lo, hi := at.Add(-q.Window), at.Add(q.Window)
	if lo.Before(day) {
		lo = day
	}
	if end := day.AddDate(0, 0, 1).Add(-time.Second); hi.After(end) {
		hi = end
	}
	return &PartnerAsk{Day: day, Window: DayWindow{Min: lo.Sub(day), Max: hi.Sub(day)}, Drivers: q.Kind == KindOffer}, nil
}
