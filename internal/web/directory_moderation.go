package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
)

type revisionsView struct {
	Initiative *directory.Initiative
	URL        string
	Revisions  []revisionView
	Moderator  bool
	CanRestore bool
}

type revisionView struct {
	directory.Revision
	Author    string
	When      string // in the territory's time zone
	RestoreOf int    // the revision this one restored, if any
}

// authorNames looks up display names once per author. Only the name that
// members chose to show is used: never an e-mail address.
func (s *Server) authorNames(ctx context.Context) func(id int64) string {
	names := map[int64]string{}
	return func(id int64) string {
		if id == 0 {
			return ""
		}
		if n, ok := names[id]; ok {
			return n
		}
		n := ""
		if u, err := s.Accounts.User(ctx, id); err == nil {
			n = u.DisplayName
		}
		names[id] = n
		return n
	}
}

func (s *Server) revisionsPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.territoryPageID(w, r, "dir.revisions_title")
	if !ok {
		return
	}
	ctx := r.Context()
	in, err := s.Directory.Get(ctx, p.Actor, p.Territory, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	revs, err := s.Directory.Revisions(ctx, p.Actor, p.Territory, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := revisionsView{Initiative: in, URL: pageInitiativeURL(p.Territory.Slug, id), Moderator: p.Can(string(access.Moderator))}
	// The service decides on restore; the button is only shown to those it
	// would let through: moderators and organisers running the entry.
	v.CanRestore = v.Moderator
	if !v.CanRestore && in.OrganisationID != 0 && p.Can(string(access.Organiser)) {
		v.CanRestore, _ = s.Accounts.IsOrgMember(ctx, in.OrganisationID, p.Actor.UserID)
	}
	name := s.authorNames(ctx)
	readable := s.readableChange(r, p)
	// Latest first: what people come to check is the last change.
	for i := len(revs) - 1; i >= 0; i-- {
		rv := revisionView{Revision: revs[i], Author: name(revs[i].AuthorID),
			When: localTime(revs[i].CreatedAt.In(p.Territory.Location()), p.Lang)}
		for j := range rv.Changes {
			readable(&rv.Changes[j])
		}
		if n, ok := strings.CutPrefix(rv.Comment, "restore:"); ok {
			rv.RestoreOf, _ = strconv.Atoi(n)
			rv.Comment = ""
		}
		v.Revisions = append(v.Revisions, rv)
	}
	p.Title = p.L.T("dir.revisions_of", "Name", in.Name)
	p.Data = v
	s.renderDir(w, r, http.StatusOK, "revisions", p)
}

// pageRevisionAction runs an action on revision {n} of initiative {id}, then
// goes back to the history, or to the moderation queue when asked.
func (s *Server) pageRevisionAction(w http.ResponseWriter, r *http.Request, done string, act func(ctx context.Context, a access.Actor, p *Page, id int64, n int) error) {
	p, id, ok := s.territoryPageID(w, r, "dir.revisions_title")
	if !ok {
		return
	}
	n, err := pagePathID(r, "n")
	if err != nil || n > 1<<30 {
		s.renderError(w, r, errs.ErrNotFound)
		return
	}
	if err := act(r.Context(), p.Actor, p, id, int(n)); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.flash(r, p.L.T(done))
	next := safeNext(r.PostFormValue("next"))
	if next == "/" {
		next = pageInitiativeURL(p.Territory.Slug, id) + "/revisions"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) restoreRevision(w http.ResponseWriter, r *http.Request) {
	s.pageRevisionAction(w, r, "dir.restored", func(ctx context.Context, a access.Actor, p *Page, id int64, n int) error {
		_, err := s.Directory.Restore(ctx, a, p.Territory, id, n)
		return err
	})
}

func (s *Server) approveRevision(w http.ResponseWriter, r *http.Request) {
	s.pageRevisionAction(w, r, "dir.revision_approved", func(ctx context.Context, a access.Actor, p *Page, id int64, n int) error {
		return s.Directory.ApproveRevision(ctx, a, p.Territory, id, n)
	})
}

func (s *Server) rejectRevision(w http.ResponseWriter, r *http.Request) {
	s.pageRevisionAction(w, r, "dir.revision_rejected", func(ctx context.Context, a access.Actor, p *Page, id int64, n int) error {
		return s.Directory.RejectRevision(ctx, a, p.Territory, id, n, r.PostFormValue("reason"))
	})
}

type moderationView struct {
	Initiatives []*directory.Initiative
	Revisions   []revisionView
	Reports     []directory.Report
	Here        string
}

func (s *Server) moderationPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "dir.moderation_title")
	if !ok {
		return
	}
	ctx := r.Context()
	q, err := s.Directory.ModerationQueue(ctx, p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	name := s.authorNames(ctx)
	v := moderationView{Initiatives: q.Initiatives, Reports: q.Reports, Here: "/t/" + p.Territory.Slug + "/moderation"}
	for _, rev := range q.Revisions {
		v.Revisions = append(v.Revisions, revisionView{Revision: rev, Author: name(rev.AuthorID),
			When: localTime(rev.CreatedAt.In(p.Territory.Location()), p.Lang)})
	}
	p.Data = v
	s.renderDir(w, r, http.StatusOK, "moderation", p)
}

func (s *Server) resolveReport(w http.ResponseWriter, r *http.Request) {
	t, ok := s.territory(w, r)
	if !ok {
		return
	}
	id, err := pagePathID(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.Directory.ResolveReport(r.Context(), actorFrom(r.Context()), t, id, r.PostFormValue("resolution")); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.flash(r, s.localizer(r).T("dir.report_resolved"))
	http.Redirect(w, r, "/t/"+t.Slug+"/moderation", http.StatusSeeOther)
}

// readableChange rewrites the codes of a diff (categories, kind, days,
// organisation ids) as the words the pages use.
func (s *Server) readableChange(r *http.Request, p *Page) func(*directory.FieldChange) {
	orgs := map[string]string{}
	if list, err := s.Accounts.Organisations(r.Context(), p.Territory.ID); err == nil {
		for _, o := range list {
			orgs[strconv.FormatInt(o.ID, 10)] = o.Name
		}
	}
	words := func(v string, conv func(string) string) string {
		if v == "" {
			return ""
		}
		parts := strings.Split(v, ", ")
		for i, x := range parts {
			parts[i] = conv(x)
		}
		return strings.Join(parts, ", ")
	}
	label := func(prefix string) func(string) string {
		return func(x string) string {
			if k := prefix + x; p.L.Has(k) {
				return p.L.T(k)
			}
			return x
		}
	}
	// Slots are written "6 09:00-12:30" and joined with "; ".
	hours := func(v string) string {
		if v == "" {
			return ""
		}
		parts := strings.Split(v, "; ")
		for i, x := range parts {
			if day, span, ok := strings.Cut(x, " "); ok {
				opens, closes, _ := strings.Cut(span, "-")
				parts[i] = p.L.T("dir.day."+day) + " " + p.L.T("dir.slot", "Opens", opens, "Closes", closes)
			}
		}
		return strings.Join(parts, " ; ")
	}
	return func(c *directory.FieldChange) {
		switch c.Field {
		case "categories":
			c.Old, c.New = words(c.Old, label("dir.cat.")), words(c.New, label("dir.cat."))
		case "kind":
			c.Old, c.New = words(c.Old, label("dir.kind.")), words(c.New, label("dir.kind."))
		case "opening_hours":
			c.Old, c.New = hours(c.Old), hours(c.New)
		case "organisation_id":
			org := func(id string) string {
				if n, ok := orgs[id]; ok {
					return n
				}
				return id
			}
			c.Old, c.New = words(c.Old, org), words(c.New, org)
		}
	}
}
