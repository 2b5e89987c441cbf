package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Carpool areas suggested on the publish form (issue 6). Once an end of the
// trip is known (an address looked up by the "nearby carpool areas" button,
// a map click, a destination), the form lists the nearest published carpool
// areas of the directory as radio buttons; the one picked replaces that
// end. It is a second step of the same form, so it works without
// JavaScript.

// carpoolAreaFinder is what the form needs of the directory.
type carpoolAreaFinder interface {
	NearCarpoolAreas(ctx context.Context, ter *territory.Territory, p geo.Point, limit int) ([]directory.CarpoolAreaHit, error)
}

// suggestedAreas is how many areas each end of a trip suggests.
const suggestedAreas = 4

// areaChoice is one suggested carpool area.
type areaChoice struct {
	Value   string // "LAT,LON NAME", read back by formPlace
	Name    string
	Address string
	Km      string
}

func (s *Server) carpoolAreas() carpoolAreaFinder {
	if s.Directory == nil {
		return nil
	}
	return s.Directory
}

// areaChoices lists the areas near an end whose coordinates the form holds;
// none when they are missing or the directory cannot answer, since the
// suggestions only help.
func (s *Server) areaChoices(r *http.Request, ter *territory.Territory, f url.Values, prefix string) []areaChoice {
	finder := s.carpoolAreas()
	if finder == nil || f.Get(prefix+"_lat") == "" {
		return nil
	}
	p, err := geo.ParsePoint(f.Get(prefix+"_lat") + "," + f.Get(prefix+"_lon"))
	if err != nil || !ter.BBox.Contains(p) {
		return nil
	}
	hits, err := finder.NearCarpoolAreas(r.Context(), ter, p, suggestedAreas)
	if err != nil {
		s.Log.WarnContext(r.Context(), "mobility: carpool areas", "err", err)
		return nil
	}
	out := make([]areaChoice, 0, len(hits))
	for _, h := range hits {
		in := h.Initiative
		out = append(out, areaChoice{Value: coord(in.Position.Lat) + "," + coord(in.Position.Lon) + " " + in.Name,
			Name: in.Name, Address: in.Address, Km: kmText(int(h.DistanceM))})
	}
	return out
}

// areaPlace reads a picked area ("LAT,LON NAME"); ok is false when none was
// picked. A tampered value is a point like any typed one: the service
// checks it lies in the territory.
func areaPlace(f url.Values, prefix string) (mobility.Place, bool, error) {
	v := strings.TrimSpace(f.Get(prefix + "_area"))
	if v == "" {
		return mobility.Place{}, false, nil
	}
	pt, name, _ := strings.Cut(v, " ")
	p, err := geo.ParsePoint(pt)
	if err != nil {
		return mobility.Place{}, true, errs.Fields([]errs.FieldError{{Field: prefix + "_address", Key: "err.point_format"}})
	}
	return mobility.Place{Lat: p.Lat, Lon: p.Lon, Label: strings.TrimSpace(name)}, true, nil
}

// lookUpEnds is the form's second step: each end given is looked up and
// written back as coordinates, so the page shows the areas near it.
func (s *Server) lookUpEnds(r *http.Request, ter *territory.Territory, f url.Values) error {
	var fields []errs.FieldError
	for _, prefix := range []string{"from", "to"} {
		if f.Get(prefix+"_address") == "" && f.Get(prefix+"_lat") == "" && f.Get(prefix+"_lon") == "" && f.Get(prefix+"_area") == "" {
			continue
		}
		pl, err := s.formPlace(r, ter, f, prefix)
		if err != nil {
			e, ok := errs.As(err)
			if !ok || len(e.Fields) == 0 {
				return err
			}
			fields = append(fields, e.Fields...)
			continue
		}
		f.Set(prefix+"_address", pl.Label)
		f.Set(prefix+"_lat", coord(pl.Lat))
		f.Set(prefix+"_lon", coord(pl.Lon))
		f.Del(prefix + "_area")
	}
	return errs.Fields(fields)
}
