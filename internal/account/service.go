package account

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/store"
)

// Options configure the service. Zero values pick the defaults.
type Options struct {
	// BaseURL prefixes links in mail, e.g. "http://localhost:8080".
	BaseURL string
	// Hash is argon2id's cost; tests pass TestHashParams to stay fast.
	Hash HashParams
	// VerifyTTL (48 h) and ResetTTL (1 h) bound the life of mailed links.
	VerifyTTL time.Duration
	ResetTTL  time.Duration
	// MailInterval (1 min) is the least time between two verification or
	// reset mails to one account, so nobody can flood a mailbox.
	MailInterval time.Duration
}

// Service holds every rule about accounts, roles and organisations.
type Service struct {
	store  Store
	mailer mail.Sender
	outbox *mail.Outbox
	log    *slog.Logger
	now    func() time.Time
	opts   Options
	// dummyHash is checked against when the e-mail is unknown, so a login
	// takes as long whether or not the account exists.
	dummyHash string
	// leavers run inside every account deletion (OnDelete).
	leavers []Leaver
}

// NewService returns the account service. mailer delivers verification and
// reset mail (mail.Outbox or mail.SMTP); the outbox table is read directly
// through mail.Outbox for data exports.
func NewService(db *store.DB, mailer mail.Sender, log *slog.Logger, now func() time.Time, opts Options) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Hash == (HashParams{}) {
		opts.Hash = DefaultHashParams
	}
	if opts.Hash.SaltLen == 0 {
		opts.Hash.SaltLen = 16
	}
	if opts.Hash.KeyLen == 0 {
		opts.Hash.KeyLen = 32
	}
	if opts.VerifyTTL == 0 {
		opts.VerifyTTL = 48 * time.Hour
	}
	if opts.ResetTTL == 0 {
		opts.ResetTTL = time.Hour
	}
	if opts.MailInterval == 0 {
		opts.MailInterval = time.Minute
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	s := &Service{store: NewSQLStore(db), mailer: mailer, outbox: mail.NewOutbox(db, log, now), log: log, now: now, opts: opts}
	// crypto/rand never fails on supported systems (it aborts instead).
	s.dummyHash, _ = hashPassword("not a real password, only for timing", opts.Hash)
	return s
}

// clock is now in UTC at PostgreSQL's precision, so that a time read back
// equals the time written in both dialects.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func (s *Service) link(path, token string) string {
	return s.opts.BaseURL + path + "?token=" + url.QueryEscape(token)
}

func errEmailTaken() error {
	return &errs.Error{Kind: errs.Conflict, Key: "err.email_taken",
		Fields: []errs.FieldError{{Field: "email", Key: "err.email_taken"}}}
}

func fieldErr(kind errs.Kind, field, key string) error {
	return &errs.Error{Kind: kind, Key: key, Fields: []errs.FieldError{{Field: field, Key: key}}}
}

// isMissingReference tells a foreign key violation (an unknown territory).
func isMissingReference(err error) bool {
	e, ok := errs.As(err)
	return ok && e.Key == "err.reference"
}

var errTokenInvalid = errs.E(errs.Invalid, "err.token_invalid")

// SignUp creates an account, makes it a member of in.TerritoryID when set,
// and mails a verification link. A mail that cannot be sent is logged, not
// returned: the account exists, and the member can ask for another link.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (*User, error) {
	email := NormaliseEmail(in.Email)
	name := strings.TrimSpace(in.DisplayName)
	lang := strings.TrimSpace(in.Lang)
	if lang == "" {
		lang = "fr"
	}
	var v errs.Validator
	v.Check(validEmail(email), "email", "err.email_invalid")
	checkPassword(&v, "password", in.Password, email)
	checkDisplayName(&v, name)
	v.Check(validLang(lang), "lang", "err.lang_invalid")
	v.Check(in.TerritoryID >= 0, "territory", "err.territory_not_found")
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := hashPassword(in.Password, s.opts.Hash)
	if err != nil {
		return nil, err
	}
	secret, err := newSecret()
	if err != nil {
		return nil, err
	}
	now := s.clock()
	u := &User{Email: email, DisplayName: name, Lang: lang, CreatedAt: now}
	err = s.store.InTx(ctx, func(st Store) error {
		if err := st.InsertUser(ctx, u, hash); err != nil {
			return err
		}
		if in.TerritoryID != 0 {
			if err := st.AddMember(ctx, in.TerritoryID, u.ID, now); err != nil {
				return err
			}
		}
		return st.InsertEmailToken(ctx, hashSecret(secret), u.ID, purposeVerify, now.Add(s.opts.VerifyTTL))
	})
	switch {
	case err == nil:
	case store.IsUniqueViolation(err):
		return nil, errEmailTaken()
	case isMissingReference(err):
		return nil, fieldErr(errs.NotFound, "territory", "err.territory_not_found")
	default:
		return nil, fmt.Errorf("account: sign up: %w", err)
	}
	s.log.InfoContext(ctx, "account created", "user_id", u.ID, "territory_id", in.TerritoryID)
	if err := s.mailer.Send(ctx, verifyMail(u, s.link("/verify", secret), int(s.opts.VerifyTTL.Hours()))); err != nil {
		s.log.ErrorContext(ctx, "verification mail not sent", "user_id", u.ID, "err", err)
	}
	return u, nil
}

// VerifyEmail uses a verification token and marks the address verified.
// A token works once; an unknown, used or expired one is errs.Invalid.
func (s *Service) VerifyEmail(ctx context.Context, token string) (*User, error) {
	if !plausibleSecret(token) {
		return nil, errTokenInvalid
	}
	now := s.clock()
	var uid int64
	err := s.store.InTx(ctx, func(st Store) error {
		var err error
		if uid, err = st.ConsumeEmailToken(ctx, hashSecret(token), purposeVerify, now); err != nil {
			return err
		}
		if err := st.SetEmailVerified(ctx, uid); err != nil {
			return err
		}
		return st.RetireEmailTokens(ctx, uid, purposeVerify, now)
	})
	if errs.Is(err, errs.NotFound) {
		return nil, errTokenInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("account: verify e-mail: %w", err)
	}
	return s.store.UserByID(ctx, uid)
}

// plausibleSecret refuses what cannot be a token before touching the
// database (base64url of 32 bytes is 43 characters).
func plausibleSecret(t string) bool { return len(t) >= 20 && len(t) <= 100 }

// ResendVerification mails a new verification link, at most once per
// MailInterval. Earlier links stay valid until they expire.
func (s *Service) ResendVerification(ctx context.Context, userID int64) error {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if u.EmailVerified {
		return errs.E(errs.Conflict, "err.already_verified")
	}
	now := s.clock()
	if latest, ok, err := s.store.LatestEmailTokenExpiry(ctx, userID, purposeVerify); err != nil {
		return err
	} else if ok && latest.Sub(now) > s.opts.VerifyTTL-s.opts.MailInterval {
		return errs.E(errs.TooManyRequests, "err.try_later")
	}
	secret, err := newSecret()
	if err != nil {
		return err
	}
	if err := s.store.InsertEmailToken(ctx, hashSecret(secret), userID, purposeVerify, now.Add(s.opts.VerifyTTL)); err != nil {
		return err
	}
	if err := s.mailer.Send(ctx, verifyMail(u, s.link("/verify", secret), int(s.opts.VerifyTTL.Hours()))); err != nil {
		return fmt.Errorf("account: resend verification: %w", err)
	}
	return nil
}

// RequestPasswordReset mails a reset link when the address belongs to an
// active account. It answers nil in every other case too (unknown address,
// suspended account, a link mailed less than MailInterval ago), so that
// nobody can learn who has an account. lang is the language of the page
// the request came from; the account's language is used when it is not
// one we write mail in.
func (s *Service) RequestPasswordReset(ctx context.Context, email, lang string) error {
	email = NormaliseEmail(email)
	if !validEmail(email) {
		return fieldErr(errs.Invalid, "email", "err.email_invalid")
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errs.Is(err, errs.NotFound) {
		s.log.InfoContext(ctx, "password reset for unknown address")
		return nil
	}
	if err != nil {
		return err
	}
	if u.Suspended {
		return nil
	}
	now := s.clock()
	if latest, ok, err := s.store.LatestEmailTokenExpiry(ctx, u.ID, purposeReset); err != nil {
		return err
	} else if ok && latest.Sub(now) > s.opts.ResetTTL-s.opts.MailInterval {
		s.log.InfoContext(ctx, "password reset throttled", "user_id", u.ID)
		return nil
	}
	secret, err := newSecret()
	if err != nil {
		return err
	}
	if err := s.store.InsertEmailToken(ctx, hashSecret(secret), u.ID, purposeReset, now.Add(s.opts.ResetTTL)); err != nil {
		return err
	}
	if !validLang(lang) {
		lang = u.Lang
	}
	if err := s.mailer.Send(ctx, resetMail(u, lang, s.link("/reset", secret), int(s.opts.ResetTTL.Minutes()))); err != nil {
		// Returning it would tell the caller the address exists.
		s.log.ErrorContext(ctx, "password reset mail not sent", "user_id", u.ID, "err", err)
	}
	return nil
}

// ResetPassword sets a new password with a reset token. It also marks the
// address verified: the member proved they read mail sent to it. Every
// other reset link of the account stops working.
func (s *Service) ResetPassword(ctx context.Context, token, newPassword string) error {
	if !plausibleSecret(token) {
		return errTokenInvalid
	}
	h := hashSecret(token)
	now := s.clock()
	uid, err := s.store.PeekEmailToken(ctx, h, purposeReset, now)
	if errs.Is(err, errs.NotFound) {
		return errTokenInvalid
	}
	if err != nil {
		return err
	}
	u, err := s.store.UserByID(ctx, uid)
	if err != nil {
		return err
	}
	var v errs.Validator
	checkPassword(&v, "password", newPassword, u.Email)
	if err := v.Err(); err != nil {
		return err
	}
	// Hash outside the transaction: SQLite has one writer, and argon2 is slow
	// on purpose.
	hash, err := hashPassword(newPassword, s.opts.Hash)
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(st Store) error {
		used, err := st.ConsumeEmailToken(ctx, h, purposeReset, now)
		if err != nil {
			return err
		}
		if err := st.SetPassword(ctx, used, hash, true); err != nil {
			return err
		}
		if err := st.EndSessions(ctx, used); err != nil {
			return err
		}
		return st.RetireEmailTokens(ctx, used, purposeReset, now)
	})
	if errs.Is(err, errs.NotFound) {
		return errTokenInvalid
	}
	if err != nil {
		return fmt.Errorf("account: reset password: %w", err)
	}
	s.log.InfoContext(ctx, "password reset", "user_id", uid)
	return nil
}

var errBadCredentials = errs.E(errs.Unauthenticated, "err.bad_credentials")

// Authenticate checks an e-mail and password. Unknown address and wrong
// password give the same error after the same work. A suspended account is
// told so only after a correct password. A hash made with older parameters
// is upgraded on the way.
func (s *Service) Authenticate(ctx context.Context, email, password string) (*User, error) {
	email = NormaliseEmail(email)
	if len(password) > 4*MaxPassword {
		return nil, errBadCredentials
	}
	u, hash, err := s.store.Credentials(ctx, email)
	if errs.Is(err, errs.NotFound) {
		_, _, _ = checkPasswordHash(password, s.dummyHash, s.opts.Hash)
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("account: authenticate: %w", err)
	}
	ok, stale, err := checkPasswordHash(password, hash, s.opts.Hash)
	if err != nil {
		s.log.ErrorContext(ctx, "unreadable password hash", "user_id", u.ID, "err", err)
		return nil, errBadCredentials
	}
	if !ok {
		return nil, errBadCredentials
	}
	if u.Suspended {
		return nil, errs.E(errs.Forbidden, "err.account_suspended")
	}
	now := s.clock()
	if err := s.store.SetLastLogin(ctx, u.ID, now); err != nil {
		return nil, err
	}
	u.LastLoginAt = &now
	if stale {
		if h, err := hashPassword(password, s.opts.Hash); err == nil {
			if err := s.store.SetPassword(ctx, u.ID, h, false); err != nil {
				s.log.ErrorContext(ctx, "password rehash not saved", "user_id", u.ID, "err", err)
			}
		}
	}
	return u, nil
}

// ChangePassword replaces the actor's password after checking the old one.
// Pending reset links stop working, and so do the member's sessions (the
// web layer starts a new one for the browser that made the change).
func (s *Service) ChangePassword(ctx context.Context, actor access.Actor, oldPassword, newPassword string) error {
	if err := actor.RequireUser(); err != nil {
		return err
	}
	if err := s.checkOwnPassword(ctx, actor.UserID, oldPassword, "old_password"); err != nil {
		return err
	}
	u, err := s.store.UserByID(ctx, actor.UserID)
	if err != nil {
		return err
	}
	var v errs.Validator
	checkPassword(&v, "new_password", newPassword, u.Email)
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := hashPassword(newPassword, s.opts.Hash)
	if err != nil {
		return err
	}
	now := s.clock()
	return s.store.InTx(ctx, func(st Store) error {
		if err := st.SetPassword(ctx, u.ID, hash, false); err != nil {
			return err
		}
		if err := st.EndSessions(ctx, u.ID); err != nil {
			return err
		}
		return st.RetireEmailTokens(ctx, u.ID, purposeReset, now)
	})
}

// checkOwnPassword returns an Invalid error on field when password is not
// the user's.
func (s *Service) checkOwnPassword(ctx context.Context, userID int64, password, field string) error {
	hash, err := s.store.PasswordHash(ctx, userID)
	if err != nil {
		return err
	}
	if len(password) > 4*MaxPassword {
		return fieldErr(errs.Invalid, field, "err.wrong_password")
	}
	ok, _, err := checkPasswordHash(password, hash, s.opts.Hash)
	if err != nil || !ok {
		return fieldErr(errs.Invalid, field, "err.wrong_password")
	}
	return nil
}
