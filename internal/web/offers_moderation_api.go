package web

import (
	"net/http"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/messages"
	"github.com/sharingcity/sharingcity/internal/offers"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// JSON API of the offers module's moderation: the same service calls as the
// pages in offers_moderation.go. The queue is built from explicit view
// types rather than the services' structs, so that a field added to a
// model later (an e-mail, an exact position) does not leak by default.

func (s *Server) offersModerationAPITable() []apiHandler {
	const base = "/api/v1/territories/{slug}"
	return []apiHandler{
		{"POST", base + "/listings/{id}/reports", s.apiReportListing},
		{"POST", base + "/members/{id}/reports", s.apiReportMember},
		{"POST", base + "/messages/{id}/reports", s.apiReportMessage},
		{"GET", base + "/offers/moderation", s.apiOffersQueue},
		{"POST", base + "/offers/reports/{id}/resolve", s.apiResolveOfferReport},
		{"POST", base + "/offers/message-reports/{id}/resolve", s.apiResolveMessageReport},
		{"POST", base + "/listings/{id}/hide", s.apiHideListing},
		{"POST", base + "/listings/{id}/unhide", s.apiUnhideListing},
		{"POST", base + "/members/{id}/suspend", s.apiSuspendMember},
		{"POST", base + "/members/{id}/reinstate", s.apiReinstateMember},
	}
}

type reasonInput struct {
	Reason string `json:"reason"`
}

type createdReport struct {
	ID int64 `json:"id"`
}

func (s *Server) apiReportTarget(w http.ResponseWriter, r *http.Request, target offers.ReportTarget) {
	var in reasonInput
	s.apiWrite(w, r, http.StatusCreated, &in, func(ter *territory.Territory, id int64) (any, error) {
		rep, err := s.Offers.Report(r.Context(), actorFrom(r.Context()), ter, target, id, in.Reason)
		if err != nil {
			return nil, err
		}
		return createdReport{ID: rep.ID}, nil
	})
}

func (s *Server) apiReportListing(w http.ResponseWriter, r *http.Request) {
	s.apiReportTarget(w, r, offers.TargetListing)
}

func (s *Server) apiReportMember(w http.ResponseWriter, r *http.Request) {
	s.apiReportTarget(w, r, offers.TargetMember)
}

func (s *Server) apiReportMessage(w http.ResponseWriter, r *http.Request) {
	var in reasonInput
	s.apiWrite(w, r, http.StatusCreated, &in, func(ter *territory.Territory, id int64) (any, error) {
		rep, err := s.Messages.Report(r.Context(), actorFrom(r.Context()), ter, id, in.Reason)
		if err != nil {
			return nil, err
		}
		return createdReport{ID: rep.ID}, nil
	})
}

// offerReportJSON is one open report on a listing or a member, with names
// only: never an e-mail address nor a position.
type offerReportJSON struct {
	ID            int64         `json:"id"`
	ListingID     int64         `json:"listing_id,omitempty"`
	ListingTitle  string        `json:"listing_title,omitempty"`
	ListingStatus offers.Status `json:"listing_status,omitempty"`
	MemberID      int64         `json:"member_id"`
	MemberName    string        `json:"member_name"`
	Suspended     bool          `json:"member_suspended"`
	ReporterID    int64         `json:"reporter_id"`
	ReporterName  string        `json:"reporter_name"`
	Reason        string        `json:"reason"`
	CreatedAt     string        `json:"created_at"`
}

type reportedMessageJSON struct {
	ID         int64  `json:"id"`
	SenderID   int64  `json:"sender_id"`
	SenderName string `json:"sender_name"`
	Body       string `json:"body"`
	CreatedAt  string `json:"created_at"`
	Removed    bool   `json:"removed"`
}

type messageReportJSON struct {
	ID              int64                 `json:"id"`
	ConversationID  int64                 `json:"conversation_id"`
	ReporterID      int64                 `json:"reporter_id"`
	ReporterName    string                `json:"reporter_name"`
	Reason          string                `json:"reason"`
	CreatedAt       string                `json:"created_at"`
	Message         reportedMessageJSON   `json:"message"`
	SenderSuspended bool                  `json:"sender_suspended"`
	Context         []reportedMessageJSON `json:"context"`
}

const apiTime = time.RFC3339

func (s *Server) apiOffersQueue(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		ctx := r.Context()
		a := actorFrom(ctx)
		reps, err := s.Offers.ModerationQueue(ctx, a, ter)
		if err != nil {
			return nil, err
		}
		mreps, err := s.Messages.ReportedMessages(ctx, a, ter)
		if err != nil {
			return nil, err
		}
		name := s.authorNames(ctx)
		suspended := s.suspendedMembers(ctx)
		out := make([]offerReportJSON, 0, len(reps))
		for _, rep := range reps {
			x := offerReportJSON{ID: rep.ID, ListingID: rep.ListingID, ListingTitle: rep.ListingTitle,
				MemberID: rep.MemberID, ReporterID: rep.ReporterID, ReporterName: name(rep.ReporterID),
				Reason: rep.Reason, CreatedAt: rep.CreatedAt.UTC().Format(apiTime)}
			if rep.ListingID != 0 {
				// A listing removed since the report keeps its line without a status.
				if l, err := s.Offers.Get(ctx, a, ter, rep.ListingID); err == nil {
					x.MemberID, x.ListingStatus, x.ListingTitle = l.OwnerID, l.Status, l.Title
				} else if errs.KindOf(err) != errs.NotFound {
					return nil, err
				}
			}
			x.MemberName, x.Suspended = name(x.MemberID), suspended(x.MemberID)
			out = append(out, x)
		}
		mout := make([]messageReportJSON, 0, len(mreps))
		for _, rep := range mreps {
			x := toMessageReportJSON(rep, name)
			x.SenderSuspended = suspended(rep.Message.SenderID)
			around, err := s.Messages.ReportedContext(ctx, a, ter, &rep)
			if err != nil {
				return nil, err
			}
			x.Context = make([]reportedMessageJSON, 0, len(around))
			for _, m := range around {
				x.Context = append(x.Context, toReportedMessageJSON(m, name))
			}
			mout = append(mout, x)
		}
		return map[string]any{"reports": out, "message_reports": mout}, nil
	})
}

func toMessageReportJSON(rep messages.Report, name func(int64) string) messageReportJSON {
	return messageReportJSON{ID: rep.ID, ConversationID: rep.ConversationID, ReporterID: rep.ReporterID,
		ReporterName: name(rep.ReporterID), Reason: rep.Reason, CreatedAt: rep.CreatedAt.UTC().Format(apiTime),
		Message: toReportedMessageJSON(rep.Message, name), Context: []reportedMessageJSON{}}
}

func toReportedMessageJSON(m messages.Message, name func(int64) string) reportedMessageJSON {
	return reportedMessageJSON{ID: m.ID, SenderID: m.SenderID, SenderName: name(m.SenderID), Body: m.Body,
		CreatedAt: m.CreatedAt.UTC().Format(apiTime), Removed: m.Removed}
}

type resolutionInput struct {
	Resolution string `json:"resolution"`
	Remove     bool   `json:"remove"`
}

func (s *Server) apiResolveOfferReport(w http.ResponseWriter, r *http.Request) {
	var in resolutionInput
	s.apiWrite(w, r, http.StatusNoContent, &in, func(ter *territory.Territory, id int64) (any, error) {
		return nil, s.Offers.Resolve(r.Context(), actorFrom(r.Context()), ter, id, in.Resolution)
	})
}

func (s *Server) apiResolveMessageReport(w http.ResponseWriter, r *http.Request) {
	var in resolutionInput
	s.apiWrite(w, r, http.StatusNoContent, &in, func(ter *territory.Territory, id int64) (any, error) {
		return nil, s.Messages.Resolve(r.Context(), actorFrom(r.Context()), ter, id, in.Resolution, in.Remove)
	})
}

// hideStep hides or shows a listing again, then answers with the listing
// as the moderator now reads it.
func (s *Server) hideStep(w http.ResponseWriter, r *http.Request, hide bool) {
	var in reasonInput
	s.apiWrite(w, r, http.StatusOK, &in, func(ter *territory.Territory, id int64) (any, error) {
		ctx := r.Context()
		a := actorFrom(ctx)
		var err error
		if hide {
			err = s.Offers.Hide(ctx, a, ter, id, in.Reason)
		} else {
			err = s.Offers.Unhide(ctx, a, ter, id)
		}
		if err != nil {
			return nil, err
		}
		l, err := s.Offers.Get(ctx, a, ter, id)
		if err != nil {
			return nil, err
		}
		return toListingJSON(a, ter, l), nil
	})
}

func (s *Server) apiHideListing(w http.ResponseWriter, r *http.Request)   { s.hideStep(w, r, true) }
func (s *Server) apiUnhideListing(w http.ResponseWriter, r *http.Request) { s.hideStep(w, r, false) }

func (s *Server) apiSuspendMember(w http.ResponseWriter, r *http.Request) {
	s.apiWrite(w, r, http.StatusNoContent, nil, func(_ *territory.Territory, id int64) (any, error) {
		return nil, s.suspend(r.Context(), actorFrom(r.Context()), id)
	})
}

// apiReinstateMember undoes a suspension (see reinstate).
func (s *Server) apiReinstateMember(w http.ResponseWriter, r *http.Request) {
	s.apiWrite(w, r, http.StatusNoContent, nil, func(_ *territory.Territory, id int64) (any, error) {
		return nil, s.reinstate(r.Context(), actorFrom(r.Context()), id)
	})
}
