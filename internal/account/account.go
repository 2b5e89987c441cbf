// Package account manages people and organisations: sign-up with e-mail
// verification, passwords (argon2id), password reset, personal API tokens,
// roles per territory, organisations and their members, and each member's
// right to export and delete their own data. Sessions belong to the web
// layer (scs); it asks ActorFor on every request, so a deleted or suspended
// user's other sessions stop working at once.
package account

import (
	netmail "net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/mail"
)

// User is a member of the platform. The password hash never leaves the store.
type User struct {
	ID            int64      `json:"id"`
	Email         string     `json:"email"`
	DisplayName   string     `json:"display_name"`
	Lang          string     `json:"lang"`
	EmailVerified bool       `json:"email_verified"`
	PlatformAdmin bool       `json:"platform_admin"`
	Suspended     bool       `json:"suspended"`
	CreatedAt     time.Time  `json:"created_at"`
	LastLoginAt   *time.Time `json:"last_login_at,omitempty"`
	// SessionEpoch changes with the password; sessions started in an
	// earlier epoch are ended by the web layer.
	SessionEpoch int64 `json:"-"`
}

// Organisation kinds.
const (
	KindAssociation   = "association"
	KindMerchant      = "merchant"
	KindPublicService = "public_service"
	KindCompany       = "company"
	KindCollective    = "collective"
)

// OrgKinds lists the valid organisation kinds.
var OrgKinds = []string{KindAssociation, KindMerchant, KindPublicService, KindCompany, KindCollective}

// Roles inside an organisation.
const (
	OrgMember = "member"
	OrgAdmin  = "admin"
)

// Organisation is an association, shop, public service, company or
// collective active in one territory.
type Organisation struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"territory_id"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Description string    `json:"description"`
	Website     string    `json:"website"`
	CreatedAt   time.Time `json:"created_at"`
}

// OrgMembership is one organisation a user belongs to, with their role there.
type OrgMembership struct {
	Organisation
	Role string `json:"role"`
}

// MemberRow is one member of a territory, for its administrators.
type MemberRow struct {
	User
	Role access.Role `json:"role"`
}

// OrgMemberRow is one member of an organisation.
type OrgMemberRow struct {
	User
	Role string `json:"role"`
}

// Membership is a user's role in one territory.
type Membership struct {
	TerritoryID int64       `json:"territory_id"`
	Role        access.Role `json:"role"`
	Since       time.Time   `json:"since"`
}

// Token describes a personal API token; the secret itself is never stored.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"-"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// DataExport is everything the platform keeps about one member in this
// module, for the right of access and portability (GDPR art. 15 and 20).
type DataExport struct {
	ExportedAt    time.Time       `json:"exported_at"`
	Profile       User            `json:"profile"`
	Memberships   []Membership    `json:"memberships"`
	Organisations []OrgMembership `json:"organisations"`
	Tokens        []Token         `json:"api_tokens"`
	Mails         []mail.Stored   `json:"mails"`
}

// SignUpInput is what a visitor types to create an account.
type SignUpInput struct {
	Email       string
	Password    string
	DisplayName string
	Lang        string
	TerritoryID int64 // 0: none; otherwise join that territory as a member
}

// Limits on what people type.
const (
	MinPassword    = 10
	MaxPassword    = 256
	MaxDisplayName = 80
	MaxEmail       = 254 // RFC 5321 path limit
	MaxOrgName     = 120
	MaxOrgDesc     = 5000
	MaxURL         = 500
	MaxTokenName   = 80
)

// Langs are the languages mail is written in.
var Langs = []string{"fr", "en"}

// NormaliseEmail trims and lower-cases an address, so that one person has
// one account whatever the case they type.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// validEmail accepts a bare address (no display name) with a domain.
func validEmail(email string) bool {
	if email == "" || len(email) > MaxEmail {
		return false
	}
	a, err := netmail.ParseAddress(email)
	if err != nil || a.Address != email {
		return false
	}
	at := strings.LastIndexByte(email, '@')
	return at > 0 && at < len(email)-1
}

func validLang(l string) bool {
	for _, x := range Langs {
		if l == x {
			return true
		}
	}
	return false
}

// checkPassword records what is wrong with a new password. Length is
// counted in characters; no composition rules (NIST SP 800-63B).
func checkPassword(v *errs.Validator, field, password, email string) {
	n := utf8.RuneCountInString(password)
	v.Check(utf8.ValidString(password), field, "err.invalid_input")
	v.Check(n >= MinPassword, field, "err.password_too_short", "Min", MinPassword)
	v.Check(n <= MaxPassword, field, "err.password_too_long", "Max", MaxPassword)
	v.Check(email == "" || !strings.EqualFold(strings.TrimSpace(password), email), field, "err.password_is_email")
}

func checkDisplayName(v *errs.Validator, name string) {
	v.Check(utf8.RuneCountInString(name) <= MaxDisplayName, "display_name", "err.too_long", "Max", MaxDisplayName)
	v.Check(utf8.ValidString(name) && !strings.ContainsFunc(name, unicode.IsControl), "display_name", "err.invalid_input")
}

func validOrgKind(k string) bool {
	for _, x := range OrgKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Normalise trims the organisation's text fields.
func (o *Organisation) Normalise() {
	o.Name = strings.TrimSpace(o.Name)
	o.Kind = strings.TrimSpace(o.Kind)
	o.Description = strings.TrimSpace(o.Description)
	o.Website = strings.TrimSpace(o.Website)
}

// Validate checks an organisation's fields.
func (o *Organisation) Validate() error {
	var v errs.Validator
	n := utf8.RuneCountInString(o.Name)
	v.Check(n >= 1, "name", "err.required")
	v.Check(n <= MaxOrgName, "name", "err.too_long", "Max", MaxOrgName)
	v.Check(!strings.ContainsFunc(o.Name, unicode.IsControl), "name", "err.invalid_input")
	v.Check(validOrgKind(o.Kind), "kind", "err.org_kind_invalid")
	v.Check(utf8.RuneCountInString(o.Description) <= MaxOrgDesc, "description", "err.too_long", "Max", MaxOrgDesc)
	if o.Website != "" {
		u, err := url.Parse(o.Website)
		v.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(o.Website) <= MaxURL,
			"website", "err.url_invalid")
	}
	return v.Err()
}
