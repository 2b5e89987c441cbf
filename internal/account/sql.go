package account

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
)

// SQLStore keeps accounts in either dialect. Bound to a transaction (tx
// set) every statement runs in it; otherwise reads use the reader pool and
// writes the writer.
type SQLStore struct {
	db *store.DB
	tx *store.Tx
}

// NewSQLStore returns a Store over db.
func NewSQLStore(db *store.DB) *SQLStore { return &SQLStore{db: db} }

func (s *SQLStore) InTx(ctx context.Context, fn func(Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error { return fn(&SQLStore{db: s.db, tx: tx}) })
}

func (s *SQLStore) InTxCtx(ctx context.Context, fn func(context.Context, Store) error) error {
	if s.tx != nil {
		return fn(store.ContextWithTx(ctx, s.tx), s)
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		return fn(store.ContextWithTx(ctx, tx), &SQLStore{db: s.db, tx: tx})
	})
}

func (s *SQLStore) q() store.Querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db
}

// writeRow runs a statement with RETURNING on the writer.
func (s *SQLStore) writeRow(ctx context.Context, q string, args ...any) *store.Row {
	if s.tx != nil {
		return s.tx.QueryRow(ctx, q, args...)
	}
	return s.db.QueryRowW(ctx, q, args...)
}

// readRow reads inside the transaction when there is one, so a
// transaction sees its own writes.
func (s *SQLStore) readRow(ctx context.Context, q string, args ...any) *store.Row {
	return s.q().QueryRow(ctx, q, args...)
}

// forUpdate locks selected rows on PostgreSQL. SQLite needs nothing: its
// transactions begin IMMEDIATE, so writers already run one at a time.
func (s *SQLStore) forUpdate() string {
	if s.db.Dialect() == store.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func (s *SQLStore) exec(ctx context.Context, what string, q string, args ...any) (int64, error) {
	res, err := s.q().Exec(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("account: %s: %w", what, err)
	}
	return res.RowsAffected()
}

// execOne runs a statement that must touch one row.
func (s *SQLStore) execOne(ctx context.Context, what, notFoundKey string, q string, args ...any) error {
	n, err := s.exec(ctx, what, q, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return store.NotFound(errNoRows, notFoundKey)
	}
	return nil
}

const userColumns = `u.id, u.email, u.display_name, u.lang, u.email_verified, u.platform_admin, u.suspended, u.created_at, u.last_login_at, u.session_epoch`

func scanUser(sc store.Scanner, extra ...any) (*User, error) {
	var u User
	dest := append([]any{&u.ID, &u.Email, &u.DisplayName, &u.Lang, &u.EmailVerified, &u.PlatformAdmin, &u.Suspended,
		&u.CreatedAt, &u.LastLoginAt, &u.SessionEpoch}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, store.NotFound(err, "err.user_not_found")
	}
	u.CreatedAt = u.CreatedAt.UTC()
	u.LastLoginAt = utcPtr(u.LastLoginAt)
	return &u, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *SQLStore) InsertUser(ctx context.Context, u *User, hash string) error {
	err := s.writeRow(ctx, `INSERT INTO users (email, display_name, password_hash, lang, email_verified, platform_admin, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Email, u.DisplayName, hash, u.Lang, u.EmailVerified, u.PlatformAdmin, u.CreatedAt).Scan(&u.ID)
	if err != nil {
		return fmt.Errorf("account: insert user: %w", err)
	}
	return nil
}

func (s *SQLStore) UserByID(ctx context.Context, id int64) (*User, error) {
	return scanUser(s.readRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
}

func (s *SQLStore) UsersByID(ctx context.Context, ids []int64) (map[int64]*User, error) {
	out := make(map[int64]*User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	err := store.Collect(ctx, s.q(), `SELECT `+userColumns+` FROM users u WHERE u.id IN (`+store.Placeholders(len(ids))+`)`, args,
		func(sc store.Scanner) error {
			u, err := scanUser(sc)
			if err == nil {
				out[u.ID] = u
			}
			return err
		})
	return out, err
}

func (s *SQLStore) UserByEmail(ctx context.Context, email string) (*User, error) {
	return scanUser(s.readRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = ?`, email))
}

func (s *SQLStore) Credentials(ctx context.Context, email string) (*User, string, error) {
	var hash string
	u, err := scanUser(s.readRow(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.email = ?`, email), &hash)
	return u, hash, err
}

func (s *SQLStore) PasswordHash(ctx context.Context, userID int64) (string, error) {
	var hash string
	err := s.readRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash)
	return hash, store.NotFound(err, "err.user_not_found")
}

func (s *SQLStore) SetPassword(ctx context.Context, userID int64, hash string, verified bool) error {
	q := `UPDATE users SET password_hash = ? WHERE id = ?`
	if verified {
		q = `UPDATE users SET password_hash = ?, email_verified = ` + s.boolTrue() + ` WHERE id = ?`
	}
	return s.execOne(ctx, "set password", "err.user_not_found", q, hash, userID)
}

// EndSessions moves the user's session epoch on, so every session started
// before ends at its next request.
func (s *SQLStore) EndSessions(ctx context.Context, userID int64) error {
	return s.execOne(ctx, "end sessions", "err.user_not_found", `UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ?`, userID)
}

func (s *SQLStore) boolTrue() string {
	if s.db.Dialect() == store.Postgres {
		return "TRUE"
	}
	return "1"
}

func (s *SQLStore) SetEmailVerified(ctx context.Context, userID int64) error {
	return s.execOne(ctx, "verify e-mail", "err.user_not_found",
		`UPDATE users SET email_verified = `+s.boolTrue()+` WHERE id = ?`, userID)
}

func (s *SQLStore) SetLastLogin(ctx context.Context, userID int64, at time.Time) error {
	return s.execOne(ctx, "set last login", "err.user_not_found", `UPDATE users SET last_login_at = ? WHERE id = ?`, at, userID)
}

func (s *SQLStore) SetSuspended(ctx context.Context, userID int64, suspended bool) error {
	return s.execOne(ctx, "suspend", "err.user_not_found", `UPDATE users SET suspended = ? WHERE id = ?`, suspended, userID)
}

func (s *SQLStore) SetPlatformAdmin(ctx context.Context, userID int64, admin bool) error {
	return s.execOne(ctx, "set platform admin", "err.user_not_found", `UPDATE users SET platform_admin = ? WHERE id = ?`, admin, userID)
}

func (s *SQLStore) UpdateProfile(ctx context.Context, userID int64, displayName, lang string) error {
	return s.execOne(ctx, "update profile", "err.user_not_found",
		`UPDATE users SET display_name = ?, lang = ? WHERE id = ?`, displayName, lang, userID)
}

func (s *SQLStore) DeleteUser(ctx context.Context, userID int64) error {
	return s.execOne(ctx, "delete user", "err.user_not_found", `DELETE FROM users WHERE id = ?`, userID)
}

func (s *SQLStore) InsertEmailToken(ctx context.Context, tokenHash string, userID int64, purpose string, expires time.Time) error {
	_, err := s.exec(ctx, "insert e-mail token",
		`INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash, userID, purpose, expires)
	return err
}

func (s *SQLStore) PeekEmailToken(ctx context.Context, tokenHash, purpose string, now time.Time) (int64, error) {
	var id int64
	err := s.readRow(ctx, `SELECT user_id FROM email_tokens
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`, tokenHash, purpose, now).Scan(&id)
	return id, store.NotFound(err, "err.token_invalid")
}

func (s *SQLStore) ConsumeEmailToken(ctx context.Context, tokenHash, purpose string, now time.Time) (int64, error) {
	var id int64
	err := s.writeRow(ctx, `UPDATE email_tokens SET used_at = ?
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
		now, tokenHash, purpose, now).Scan(&id)
	return id, store.NotFound(err, "err.token_invalid")
}

func (s *SQLStore) RetireEmailTokens(ctx context.Context, userID int64, purpose string, now time.Time) error {
	_, err := s.exec(ctx, "retire e-mail tokens",
		`UPDATE email_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, now, userID, purpose)
	return err
}

func (s *SQLStore) LatestEmailTokenExpiry(ctx context.Context, userID int64, purpose string) (time.Time, bool, error) {
	var t time.Time
	err := s.readRow(ctx, `SELECT expires_at FROM email_tokens WHERE user_id = ? AND purpose = ?
		ORDER BY expires_at DESC LIMIT 1`, userID, purpose).Scan(&t)
	if err != nil {
		if isNoRows(err) {
			return time.Time{}, false, nil
		}
		return time.Time{}, false, fmt.Errorf("account: latest e-mail token: %w", err)
	}
	return t.UTC(), true, nil
}

func (s *SQLStore) DeleteStaleEmailTokens(ctx context.Context, expiredBefore time.Time) (int64, error) {
	return s.exec(ctx, "delete stale e-mail tokens", `DELETE FROM email_tokens WHERE expires_at < ?`, expiredBefore)
}

const tokenColumns = `id, user_id, name, created_at, last_used_at`

func scanToken(sc store.Scanner) (*Token, error) {
	var t Token
	if err := sc.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &t.LastUsedAt); err != nil {
		return nil, store.NotFound(err, "err.token_invalid")
	}
	t.CreatedAt = t.CreatedAt.UTC()
	t.LastUsedAt = utcPtr(t.LastUsedAt)
	return &t, nil
}

func (s *SQLStore) InsertToken(ctx context.Context, t *Token, tokenHash string) error {
	err := s.writeRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		t.UserID, t.Name, tokenHash, t.CreatedAt).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("account: insert api token: %w", err)
	}
	return nil
}

func (s *SQLStore) TokenByHash(ctx context.Context, tokenHash string) (*Token, error) {
	return scanToken(s.readRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = ?`, tokenHash))
}

func (s *SQLStore) TouchToken(ctx context.Context, tokenID int64, at, staleBefore time.Time) error {
	_, err := s.exec(ctx, "touch api token", `UPDATE api_tokens SET last_used_at = ?
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`, at, tokenID, staleBefore)
	return err
}

func (s *SQLStore) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.q().Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("account: list api tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

func (s *SQLStore) DeleteToken(ctx context.Context, tokenID, userID int64) (bool, error) {
	n, err := s.exec(ctx, "delete api token", `DELETE FROM api_tokens WHERE id = ? AND (? = 0 OR user_id = ?)`, tokenID, userID, userID)
	return n > 0, err
}
