package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
)

func (s *Server) accountRoutes(page func(string, http.HandlerFunc)) {
	page("GET /signup", s.signupForm)
	page("POST /signup", s.signup)
	page("GET /login", s.loginForm)
	page("POST /login", s.login)
	page("POST /logout", s.logout)
	page("GET /verify", s.verify)
	page("POST /account/verify/resend", s.resendVerification)
	page("GET /forgot", s.forgotForm)
	page("POST /forgot", s.forgot)
	page("GET /reset", s.resetForm)
	page("POST /reset", s.reset)
	page("GET /account", s.accountPage)
	page("POST /account/password", s.changePassword)
	page("GET /account/export", s.exportMyData)
	page("POST /account/delete", s.deleteAccount)
	page("POST /account/tokens", s.createToken)
	page("POST /account/tokens/{id}/revoke", s.revokeToken)
	page("POST /t/{slug}/join", s.joinTerritory)
}

func (s *Server) formPage(r *http.Request, titleKey string) *Page {
	p := s.newPage(r, s.I18n.Localizer(langFrom(r.Context())).T(titleKey))
	if err := r.ParseForm(); err == nil {
		p.Form = r.PostForm
		if len(p.Form) == 0 {
			p.Form = r.URL.Query()
		}
	}
	return p
}

func (s *Server) signupForm(w http.ResponseWriter, r *http.Request) {
	p := s.formPage(r, "signup.title")
	s.keepTerritory(r, p)
	s.render(w, r, http.StatusOK, "signup", p)
}

// keepTerritory gives a sign-up page reached from a territory that
// territory's look and menu.
func (s *Server) keepTerritory(r *http.Request, p *Page) {
	if slug := p.Form.Get("territory"); slug != "" {
		if t, err := s.Territories.Get(r.Context(), slug); err == nil {
			p.Territory = t
		}
	}
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) {
	p := s.formPage(r, "signup.title")
	if !s.limits.Post("signup:" + s.clientIP(r)) {
		p.setErr(errs.E(errs.TooManyRequests, "err.too_many_requests"))
		s.render(w, r, http.StatusTooManyRequests, "signup", p)
		return
	}
	var territoryID int64
	if s.keepTerritory(r, p); p.Territory != nil {
		territoryID = p.Territory.ID
	}
	if p.Form.Get("password") != p.Form.Get("password_confirm") {
		p.setErr(errs.Fields([]errs.FieldError{{Field: "password_confirm", Key: "err.password_mismatch"}}))
		s.render(w, r, http.StatusBadRequest, "signup", p)
		return
	}
	u, err := s.Accounts.SignUp(r.Context(), account.SignUpInput{
		Email: p.Form.Get("email"), Password: p.Form.Get("password"),
		DisplayName: p.Form.Get("display_name"), Lang: p.Lang, TerritoryID: territoryID,
	})
	if err != nil {
		p.setErr(err)
		s.render(w, r, statusOf(errs.KindOf(err)), "signup", p)
		return
	}
	s.startSession(r, u)
	s.flash(r, p.L.T("signup.done", "Email", u.Email))
	http.Redirect(w, r, safeNext(p.Form.Get("next")), http.StatusSeeOther)
}

func (s *Server) startSession(r *http.Request, u *account.User) {
	// A new token at login prevents session fixation.
	_ = s.sessions.RenewToken(r.Context())
	s.sessions.Put(r.Context(), "user_id", u.ID)
	s.sessions.Put(r.Context(), "epoch", u.SessionEpoch)
	s.startSessionDeadline(r.Context())
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", s.formPage(r, "login.title"))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	p := s.formPage(r, "login.title")
	email := strings.ToLower(strings.TrimSpace(p.Form.Get("email")))
	if !s.limits.Login(s.clientIP(r), email) {
		p.setErr(errs.E(errs.TooManyRequests, "err.too_many_logins"))
		s.render(w, r, http.StatusTooManyRequests, "login", p)
		return
	}
	u, err := s.Accounts.Authenticate(r.Context(), email, p.Form.Get("password"))
	if err != nil {
		p.Form.Del("password")
		p.setErr(err)
		s.render(w, r, statusOf(errs.KindOf(err)), "login", p)
		return
	}
	s.startSession(r, u)
	s.flash(r, p.L.T("login.welcome"))
	http.Redirect(w, r, safeNext(p.Form.Get("next")), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	_ = s.sessions.Destroy(r.Context())
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, s.localizer(r).T("verify.title"))
	u, err := s.Accounts.VerifyEmail(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		p.setErr(err)
		s.render(w, r, statusOf(errs.KindOf(err)), "verify", p)
		return
	}
	if userFrom(r.Context()) == nil {
		s.startSession(r, u)
	}
	s.flash(r, p.L.T("verify.done"))
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (s *Server) resendVerification(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := a.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.limits.Post("resend:" + strconv.FormatInt(a.UserID, 10)) {
		s.renderError(w, r, errs.E(errs.TooManyRequests, "err.too_many_requests"))
		return
	}
	if err := s.Accounts.ResendVerification(r.Context(), a.UserID); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.flash(r, s.localizer(r).T("verify.resent"))
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot", s.formPage(r, "forgot.title"))
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) {
	p := s.formPage(r, "forgot.title")
	if !s.limits.Login(s.clientIP(r), "forgot") {
		p.setErr(errs.E(errs.TooManyRequests, "err.too_many_requests"))
		s.render(w, r, http.StatusTooManyRequests, "forgot", p)
		return
	}
	if err := s.Accounts.RequestPasswordReset(r.Context(), p.Form.Get("email"), p.Lang); err != nil {
		p.setErr(err)
		s.render(w, r, statusOf(errs.KindOf(err)), "forgot", p)
		return
	}
	// The same answer whether or not the address has an account.
	s.flash(r, p.L.T("forgot.sent"))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset", s.formPage(r, "reset.title"))
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	p := s.formPage(r, "reset.title")
	if p.Form.Get("password") != p.Form.Get("password_confirm") {
		p.setErr(errs.Fields([]errs.FieldError{{Field: "password_confirm", Key: "err.password_mismatch"}}))
		s.render(w, r, http.StatusBadRequest, "reset", p)
		return
	}
	if err := s.Accounts.ResetPassword(r.Context(), p.Form.Get("token"), p.Form.Get("password")); err != nil {
		p.setErr(err)
		s.render(w, r, statusOf(errs.KindOf(err)), "reset", p)
		return
	}
	s.flash(r, p.L.T("reset.done"))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

type accountView struct {
	Roles         []roleView
	Organisations []account.OrgMembership
	Tokens        []account.Token
	NewToken      string
}

type roleView struct {
	Slug, Name, Role string
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := a.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, s.localizer(r).T("account.title"))
	v := accountView{NewToken: s.sessions.PopString(r.Context(), "new_token")}
	territories, err := s.Territories.List(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, t := range territories {
		if role := a.Roles[t.ID]; role != "" {
			v.Roles = append(v.Roles, roleView{t.Slug, t.Name, string(role)})
		}
	}
	if v.Organisations, err = s.Accounts.UserOrganisations(r.Context(), a.UserID); err != nil {
		s.renderError(w, r, err)
		return
	}
	if v.Tokens, err = s.Accounts.ListTokens(r.Context(), a, a.UserID); err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "account", p)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := s.Accounts.ChangePassword(r.Context(), a, r.PostFormValue("old_password"), r.PostFormValue("new_password")); err != nil {
		s.renderError(w, r, err)
		return
	}
	// Every other session of the member has ended; this browser goes on.
	if u, err := s.Accounts.User(r.Context(), a.UserID); err == nil {
		s.startSession(r, u)
	}
	s.flash(r, s.localizer(r).T("account.password_changed"))
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// exportMyData gathers what every module keeps about the member.
func (s *Server) exportMyData(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	acc, err := s.Accounts.ExportData(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data := map[string]any{"account": acc}
	// Each module answers for its own tables.
	for name, of := range map[string]func(context.Context, access.Actor) (any, error){
		"directory": func(ctx context.Context, a access.Actor) (any, error) { return s.Directory.DataOf(ctx, a) },
		"offers":    func(ctx context.Context, a access.Actor) (any, error) { return s.Offers.DataOf(ctx, a) },
		"messages":  func(ctx context.Context, a access.Actor) (any, error) { return s.Messages.DataOf(ctx, a) },
		"ledger":    func(ctx context.Context, a access.Actor) (any, error) { return s.Ledger.DataOf(ctx, a) },
		"booking":   func(ctx context.Context, a access.Actor) (any, error) { return s.Booking.DataOf(ctx, a) },
		"mobility":  func(ctx context.Context, a access.Actor) (any, error) { return s.Mobility.DataOf(ctx, a) },
	} {
		d, err := of(r.Context(), a)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		data[name] = d
	}
	w.Header().Set("Content-Disposition", `attachment; filename="sharingcity-my-data.json"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(data)
}

func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := s.Accounts.DeleteAccount(r.Context(), a, r.PostFormValue("password")); err != nil {
		s.renderError(w, r, err)
		return
	}
	_ = s.sessions.Destroy(r.Context())
	http.Redirect(w, r, "/?deleted=1", http.StatusSeeOther)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	secret, err := s.Accounts.CreateToken(r.Context(), a, a.UserID, r.PostFormValue("name"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// Shown once on the next page, never stored in clear.
	s.sessions.Put(r.Context(), "new_token", secret)
	http.Redirect(w, r, "/account#tokens", http.StatusSeeOther)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, errs.ErrNotFound)
		return
	}
	if err := s.Accounts.RevokeToken(r.Context(), actorFrom(r.Context()), id); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account#tokens", http.StatusSeeOther)
}

func (s *Server) joinTerritory(w http.ResponseWriter, r *http.Request) {
	t, ok := s.territory(w, r)
	if !ok {
		return
	}
	if err := s.Accounts.Join(r.Context(), actorFrom(r.Context()), t.ID); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.flash(r, s.localizer(r).T("territory.joined", "Name", t.Name))
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}
