package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/messages"
	"github.com/sharingcity/sharingcity/internal/offers"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Moderation of the offers module: members report a listing, a member or
// a message they received; moderators work through one queue of those
// reports; platform administrators can suspend a member from it. Member
// profiles live here too, since they carry the report-member form.

func (s *Server) offerModerationRoutes(page func(string, http.HandlerFunc)) {
	page("POST /t/{slug}/listings/{id}/report", s.reportListing)
	page("POST /t/{slug}/members/{id}/report", s.reportMember)
	page("POST /t/{slug}/messages/{id}/report", s.reportMessage)
	page("GET /t/{slug}/offers/moderation", s.offersModerationPage)
	page("POST /t/{slug}/offers/reports/{id}/resolve", s.resolveOfferReport)
	page("POST /t/{slug}/offers/message-reports/{id}/resolve", s.resolveMessageReport)
	page("POST /t/{slug}/listings/{id}/hide", s.hideListing)
	page("POST /t/{slug}/listings/{id}/unhide", s.unhideListing)
	page("POST /t/{slug}/members/{id}/suspend", s.suspendMember)
	page("POST /t/{slug}/members/{id}/reinstate", s.reinstateMember)
	page("GET /t/{slug}/members/{id}", s.profilePage)
}

func offersQueueURL(t *territory.Territory) string { return "/t/" + t.Slug + "/offers/moderation" }

func profileURL(t *territory.Territory, id int64) string {
	return "/t/" + t.Slug + "/members/" + strconv.FormatInt(id, 10)
}

func (s *Server) reportListing(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	_, err := s.Offers.Report(r.Context(), p.Actor, p.Territory, offers.TargetListing, id, r.PostForm.Get("reason"))
	s.done(w, r, err, p.L.T("offm.reported"), listingURL(p.Territory, id))
}

func (s *Server) reportMember(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	_, err := s.Offers.Report(r.Context(), p.Actor, p.Territory, offers.TargetMember, id, r.PostForm.Get("reason"))
	s.done(w, r, err, p.L.T("offm.reported"), profileURL(p.Territory, id))
}

func (s *Server) reportMessage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	rep, err := s.Messages.Report(r.Context(), p.Actor, p.Territory, id, r.PostForm.Get("reason"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.done(w, r, nil, p.L.T("offm.reported"), conversationURL(p.Territory, rep.ConversationID))
}

type offersQueueView struct {
	Reports        []offerReportView
	MessageReports []messageReportView
	Admin          bool // platform administrators may suspend members
	Here           string
}

type offerReportView struct {
	offers.Report
	Reporter  string
	Member    string // display name of the reported member
	OwnerID   int64  // the member to suspend: the reported one or the listing's owner
	Suspended bool   // that member is suspended: the button reinstates
	Hidden    bool   // the listing is hidden by a moderator
	Listing   bool   // the report is about a listing
	Status    offers.Status
	Thumb     string // the listing's first photo
}

type messageReportView struct {
	messages.Report
	Reporter        string
	Sender          string
	SenderSuspended bool
	// Context is the conversation around the reported message, it included.
	Context []contextLine
}

// contextLine is one message of a reported conversation.
type contextLine struct {
	messages.Message
	Sender   string
	Reported bool
}

func (s *Server) offersModerationPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "offm.queue_title")
	if !ok {
		return
	}
	ctx := r.Context()
	reps, err := s.Offers.ModerationQueue(ctx, p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	mreps, err := s.Messages.ReportedMessages(ctx, p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	name := s.authorNames(ctx)
	suspended := s.suspendedMembers(ctx)
	v := offersQueueView{Admin: p.Actor.PlatformAdmin, Here: offersQueueURL(p.Territory)}
	for _, rep := range reps {
		rv := offerReportView{Report: rep, Reporter: name(rep.ReporterID), OwnerID: rep.MemberID, Listing: rep.ListingID != 0}
		if rv.Listing {
			// Moderators read hidden listings too; a listing gone since the
			// report only loses its buttons.
			if l, err := s.Offers.Get(ctx, p.Actor, p.Territory, rep.ListingID); err == nil {
				rv.OwnerID, rv.Status, rv.Hidden, rv.ListingTitle = l.OwnerID, l.Status, l.Status == offers.StatusHidden, l.Title
				if len(l.Photos) > 0 {
					rv.Thumb = "/media/" + l.Photos[0].ThumbKey
				}
			} else if errs.KindOf(err) != errs.NotFound {
				s.renderError(w, r, err)
				return
			}
		}
		rv.Member, rv.Suspended = name(rv.OwnerID), suspended(rv.OwnerID)
		v.Reports = append(v.Reports, rv)
	}
	for _, rep := range mreps {
		mv := messageReportView{Report: rep, Reporter: name(rep.ReporterID), Sender: name(rep.Message.SenderID),
			SenderSuspended: suspended(rep.Message.SenderID)}
		around, err := s.Messages.ReportedContext(ctx, p.Actor, p.Territory, &rep)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, m := range around {
			mv.Context = append(mv.Context, contextLine{Message: m, Sender: name(m.SenderID), Reported: m.ID == rep.MessageID})
		}
		v.MessageReports = append(v.MessageReports, mv)
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "offers_moderation", p)
}

func (s *Server) resolveOfferReport(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	err := s.Offers.Resolve(r.Context(), p.Actor, p.Territory, id, r.PostForm.Get("resolution"))
	s.done(w, r, err, p.L.T("offm.resolved"), offersQueueURL(p.Territory))
}

func (s *Server) resolveMessageReport(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	remove := r.PostForm.Get("remove") == "1"
	err := s.Messages.Resolve(r.Context(), p.Actor, p.Territory, id, r.PostForm.Get("resolution"), remove)
	s.done(w, r, err, p.L.T("offm.resolved"), offersQueueURL(p.Territory))
}

func (s *Server) hideListing(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	err := s.Offers.Hide(r.Context(), p.Actor, p.Territory, id, r.PostForm.Get("reason"))
	s.done(w, r, err, p.L.T("offm.hidden"), offersQueueURL(p.Territory))
}

func (s *Server) unhideListing(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	err := s.Offers.Unhide(r.Context(), p.Actor, p.Territory, id)
	s.done(w, r, err, p.L.T("offm.unhidden"), offersQueueURL(p.Territory))
}

// suspendMember suspends the account and hides the member's listings. The
// two live in different modules with no shared transaction; both check
// that the actor is a platform administrator, and either failure is shown,
// so an administrator can post again (both steps are idempotent).
func (s *Server) suspendMember(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	err := s.suspend(r.Context(), p.Actor, id)
	s.done(w, r, err, p.L.T("offm.suspended"), moderationNext(r, p.Territory))
}

// reinstateMember lifts a suspension: the account, then the listings.
func (s *Server) reinstateMember(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	err := s.reinstate(r.Context(), p.Actor, id)
	s.done(w, r, err, p.L.T("offm.reinstated"), moderationNext(r, p.Territory))
}

// moderationNext is where a moderation form goes back to: the page it was
// posted from when it says so (the profile), else the queue.
func moderationNext(r *http.Request, t *territory.Territory) string {
	if next := r.PostForm.Get("next"); next != "" {
		return next
	}
	return offersQueueURL(t)
}

// reinstate undoes a suspension: the account first, so that a failure
// leaves the listings hidden rather than shown for a locked account.
func (s *Server) reinstate(ctx context.Context, a access.Actor, userID int64) error {
	if err := s.Accounts.SetSuspended(ctx, a, userID, false); err != nil {
		return err
	}
	_, err := s.Offers.HideOwner(ctx, a, userID, false)
	return err
}

// suspendedMembers answers whether a member is suspended, reading each
// account once per page.
func (s *Server) suspendedMembers(ctx context.Context) func(id int64) bool {
	seen := map[int64]bool{}
	return func(id int64) bool {
		if id == 0 {
			return false
		}
		if v, ok := seen[id]; ok {
			return v
		}
		u, err := s.Accounts.User(ctx, id)
		seen[id] = err == nil && u.Suspended
		return seen[id]
	}
}

func (s *Server) suspend(ctx context.Context, a access.Actor, userID int64) error {
	if err := s.Accounts.SetSuspended(ctx, a, userID, true); err != nil {
		return err
	}
	if _, err := s.Offers.HideOwner(ctx, a, userID, true); err != nil {
		return err
	}
	return nil
}

type profileView struct {
	UserID    int64
	Name      string
	Verified  bool
	Suspended bool
	Profile   *offers.Profile
	Average   string
	Reviews   []reviewView
	CanReport bool
	Admin     bool // platform administrators suspend and reinstate from here
	Here      string
}

type reviewView struct {
	offers.Review
	Reviewer string
}

// profilePage shows what members need to trust each other: exchanges
// done, ratings, reviews and whether the e-mail was verified. The address
// itself is never shown.
func (s *Server) profilePage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.territoryPageID(w, r, "offm.profile_title")
	if !ok {
		return
	}
	ctx := r.Context()
	u, err := s.Accounts.User(ctx, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	prof, err := s.Offers.Profile(ctx, p.Actor, p.Territory, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := profileView{UserID: id, Name: u.DisplayName, Verified: u.EmailVerified, Suspended: u.Suspended, Profile: prof,
		CanReport: p.Actor.UserID != 0 && p.Actor.UserID != id && p.Can(string(access.Member)),
		Admin:     p.Actor.PlatformAdmin && p.Actor.UserID != id, Here: profileURL(p.Territory, id)}
	if v.Name == "" {
		v.Name = p.L.T("offm.unnamed", "ID", id)
	}
	if prof.ReviewCount > 0 {
		v.Average = strconv.FormatFloat(prof.AverageRating, 'f', 1, 64)
	}
	name := s.authorNames(ctx)
	for _, rv := range prof.Reviews {
		v.Reviews = append(v.Reviews, reviewView{Review: rv, Reviewer: name(rv.ReviewerID)})
	}
	p.Title = v.Name
	p.Data = v
	s.render(w, r, http.StatusOK, "profile", p)
}
