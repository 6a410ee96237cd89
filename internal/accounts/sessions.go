package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
)

func itoa(i int) string { return strconv.Itoa(i) }

// tokenPrefix marks personal API tokens, so a bearer token can be told
// apart from a session token without a second lookup.
const tokenPrefix = "cct_"

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's randomness failing is not recoverable
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// Session is a signed-in browser or API client.
type Session struct {
	Token string // the secret, only known at creation
	CSRF  string // the anti-forgery token bound to this session
	User  User
}

// dummyHash is checked against when a login is unknown, so that the answer
// takes as long as for a known login and does not reveal which logins exist.
// It is a well-formed argon2id hash with the current parameters, so checking
// it costs what checking a real one costs, but it is written out rather than
// computed: hashing at package initialisation cost every concord command
// (serve, version, …) an argon2id run and its 19 MiB, which a server then
// kept resident (see docs/performance.md).
var dummyHash = fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
	base64.RawStdEncoding.EncodeToString([]byte("concord-dummy-salt")),
	base64.RawStdEncoding.EncodeToString(make([]byte, argonKeyLen)))

// Login checks a password and opens a session. Failures count towards a
// lockout; every outcome is on the audit trail.
func (s *Service) Login(ctx context.Context, login, password string) (Session, error) {
	now := s.now()
	var id int64
	var hash string
	var disabled bool
	var failed int
	var locked *time.Time
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, password_hash, disabled, failed_logins, locked_until FROM users WHERE login = $1`,
		strings.TrimSpace(login)).Scan(&id, &hash, &disabled, &failed, &locked)
	if err == sql.ErrNoRows {
		CheckPassword(dummyHash, password)
		return Session{}, s.loginFailed(ctx, 0, false, login, "unknown login")
	}
	if err != nil {
		return Session{}, err
	}
	if locked != nil && now.Before(*locked) {
		return Session{}, s.loginFailed(ctx, id, false, login, "locked")
	}
	if !CheckPassword(hash, password) {
		return Session{}, s.loginFailed(ctx, id, true, login, "wrong password")
	}
	if disabled {
		return Session{}, s.loginFailed(ctx, id, false, login, "disabled")
	}
	sess := Session{Token: randomToken(), CSRF: randomToken()}
	a := access.FromContext(ctx)
	addr := ""
	if a != nil {
		addr = a.ClientAddr
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen_at, client_addr) VALUES ($1,$2,$3,$4,$4,$5)`,
			hashToken(sess.Token), id, sess.CSRF, now, addr); err != nil {
			return err
		}
		if sess.User, err = getUser(ctx, tx, id); err != nil {
			return err
		}
		actx := access.WithActor(ctx, actorOf(sess.User, a))
		return audit.Record(actx, tx, audit.Change{Action: "login", ObjectType: "user", ObjectID: id})
	})
	return sess, err
}

// loginFailed records a failed attempt on user id (0 for an unknown login);
// when count is set (the password was wrong) it counts the failure and locks
// the account at the threshold. It always answers with the same error,
// whatever the reason.
func (s *Service) loginFailed(ctx context.Context, id int64, count bool, login, why string) error {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if count {
			var failed int
			if err := tx.QueryRowContext(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins`, id).Scan(&failed); err != nil {
				return err
			}
			if failed >= s.Settings.MaxFailedLogins {
				until := s.now().Add(s.Settings.LockoutFor)
				if _, err := tx.ExecContext(ctx, `UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2`, until, id); err != nil {
					return err
				}
				why += "; account locked until " + until.Format(time.RFC3339)
			}
		}
		return audit.Record(ctx, tx, audit.Change{Action: "login.failed", ObjectType: "user", ObjectID: id, Login: login, Detail: why})
	})
	if err != nil {
		return err
	}
	if strings.HasPrefix(why, "locked") || strings.Contains(why, "account locked") {
		return errs.New(errs.Locked, "error.login.locked")
	}
	return errs.New(errs.Unauthorized, "error.login.failed")
}

func actorOf(u User, from *access.Actor) *access.Actor {
	a := &access.Actor{UserID: u.ID, Login: u.Login, UnitID: u.UnitID, Roles: u.Roles}
	if from != nil {
		a.RequestID, a.ClientAddr = from.RequestID, from.ClientAddr
	}
	return a
}

// Logout ends the session with token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id`, hashToken(token)).Scan(&id)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "logout", ObjectType: "user", ObjectID: id})
	})
}

// Authenticate turns a session or personal API token into an actor. For a
// session it also returns the session's CSRF token. Expired sessions are
// removed; idle time is refreshed at most once a minute to keep reads cheap.
func (s *Service) Authenticate(ctx context.Context, token string) (*access.Actor, string, error) {
	if strings.HasPrefix(token, tokenPrefix) {
		a, err := s.authToken(ctx, token)
		return a, "", err
	}
	now := s.now()
	a := &access.Actor{}
	var csrf string
	var created, seen time.Time
	var err error
	a.Roles, err = withRoles(ctx, s.DB.R, `SELECT s.user_id, u.login, u.unit_id, u.language, s.csrf, s.created_at, s.last_seen_at, r.role FROM sessions s
		JOIN users u ON u.id = s.user_id LEFT JOIN user_roles r ON r.user_id = s.user_id WHERE s.token_hash = $1 AND u.disabled = FALSE`,
		[]any{hashToken(token)}, &a.UserID, &a.Login, &a.UnitID, &a.Language, &csrf, &created, &seen)
	if err == sql.ErrNoRows {
		return nil, "", errs.New(errs.Unauthorized, "error.unauthorized")
	}
	if err != nil {
		return nil, "", err
	}
	if now.Sub(seen) > s.Settings.SessionIdle || now.Sub(created) > s.Settings.SessionMax {
		if _, err := s.DB.W.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashToken(token)); err != nil {
			return nil, "", err
		}
		return nil, "", errs.New(errs.Unauthorized, "error.session_expired")
	}
	if now.Sub(seen) > time.Minute {
		if _, err := s.DB.W.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, now, hashToken(token)); err != nil {
			return nil, "", err
		}
	}
	return a, csrf, nil
}

// withRoles runs query, which selects a user's columns and then r.role from
// user_roles joined on the left, so one row per role: it scans the user
// into dest and returns the roles (sql.ErrNoRows for no user). Every
// request authenticates, and one query does what two did.
func withRoles(ctx context.Context, q db.Querier, query string, args []any, dest ...any) ([]access.Role, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found, out := false, []access.Role{}
	var role sql.NullString
	dest = append(dest, &role)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		found = true
		if role.Valid {
			out = append(out, access.Role(role.String))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !found {
		return nil, sql.ErrNoRows
	}
	sortRoles(out)
	return out, nil
}

// Token is a personal API token; the secret is shown only when created.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Secret     string     `json:"token,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func (s *Service) authToken(ctx context.Context, token string) (*access.Actor, error) {
	a := &access.Actor{}
	var tid int64
	var used *time.Time
	var err error
	a.Roles, err = withRoles(ctx, s.DB.R, `SELECT t.id, t.user_id, u.login, u.unit_id, u.language, t.last_used_at, r.role FROM api_tokens t JOIN users u ON u.id = t.user_id
		LEFT JOIN user_roles r ON r.user_id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = FALSE`,
		[]any{hashToken(token)}, &tid, &a.UserID, &a.Login, &a.UnitID, &a.Language, &used)
	if err == sql.ErrNoRows {
		return nil, errs.New(errs.Unauthorized, "error.unauthorized")
	}
	if err != nil {
		return nil, err
	}
	if now := s.now(); used == nil || now.Sub(*used) > time.Minute {
		if _, err := s.DB.W.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, tid); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// CreateToken makes a personal API token for the actor.
func (s *Service) CreateToken(ctx context.Context, name string) (Token, error) {
	a := access.FromContext(ctx)
	if err := a.Check(access.Self, 0); err != nil {
		return Token{}, err
	}
	var v errs.Validation
	v.Text("name", name, true, 100)
	if err := v.Err(); err != nil {
		return Token{}, err
	}
	t := Token{UserID: a.UserID, Name: name, Secret: tokenPrefix + randomToken(), CreatedAt: s.now()}
	t.Prefix = t.Secret[:len(tokenPrefix)+6]
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id`,
			t.UserID, name, hashToken(t.Secret), t.Prefix, t.CreatedAt).Scan(&t.ID); err != nil {
			return err
		}
		shown := t
		shown.Secret = ""
		return audit.Record(ctx, tx, audit.Change{Action: "token.create", ObjectType: "token", ObjectID: t.ID, After: shown})
	})
	return t, err
}

// Tokens lists a user's tokens: one's own, or anyone's for the security
// administrator.
func (s *Service) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	a := access.FromContext(ctx)
	if a == nil || a.UserID != userID {
		if err := a.Check(access.ManageTokens, 0); err != nil {
			return nil, err
		}
	}
	return db.All(ctx, s.DB.R, func(row db.Scanner) (t Token, err error) {
		err = row.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
		return t, err
	}, `SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id`, userID)
}

// RevokeToken ends a token: one's own, or anyone's for the security
// administrator. Revoking twice is not an error.
func (s *Service) RevokeToken(ctx context.Context, id int64) error {
	a := access.FromContext(ctx)
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var owner int64
		var revoked *time.Time
		err := tx.QueryRowContext(ctx, `SELECT user_id, revoked_at FROM api_tokens WHERE id = $1`, id).Scan(&owner, &revoked)
		if err != nil {
			return errs.NotFoundIf(err, "token")
		}
		if a == nil || owner != a.UserID {
			if err := a.Check(access.ManageTokens, 0); err != nil {
				return err
			}
		}
		if revoked != nil {
			return nil
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, now, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "token.revoke", ObjectType: "token", ObjectID: id, Before: map[string]any{"revoked_at": nil}, After: map[string]any{"revoked_at": now}})
	})
}

// Bootstrap creates a user without an acting security administrator: the
// CLI's `user create` and the demo use it to set up a deployment. It is
// recorded as done by "system".
func (s *Service) Bootstrap(ctx context.Context, in UserInput) (User, error) {
	var v errs.Validation
	for _, r := range in.Roles {
		if !r.Valid() {
			v.Add("roles", "error.role.unknown", string(r))
		}
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	return s.insertUser(access.WithActor(ctx, &access.Actor{Login: "system"}), in)
}

// PurgeSessions removes sessions past their idle or absolute timeout, which
// Authenticate only removes when they are used again. It is safe to run
// from several instances at once.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	now := s.now()
	res, err := s.DB.W.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2`,
		now.Add(-s.Settings.SessionIdle), now.Add(-s.Settings.SessionMax))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
