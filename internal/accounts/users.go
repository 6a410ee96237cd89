// Package accounts keeps users, their roles, passwords, sessions and personal
// API tokens.
package accounts

import (
	"context"
	"database/sql"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
)

// Settings are the account rules a deployment may tune.
type Settings struct {
	MaxFailedLogins int           // failures before the account locks
	LockoutFor      time.Duration // how long it stays locked
	SessionIdle     time.Duration // a session ends after this long unused
	SessionMax      time.Duration // and in any case after this long
}

// DefaultSettings are the shipped account rules.
var DefaultSettings = Settings{MaxFailedLogins: 5, LockoutFor: 15 * time.Minute, SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour}

// Service manages accounts.
type Service struct {
	DB       *db.DB
	Settings Settings
	Now      func() time.Time // the clock; tests move it
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return db.Now()
}

// User is an account.
type User struct {
	ID          int64         `json:"id"`
	Login       string        `json:"login"`
	Name        string        `json:"name"`
	Email       string        `json:"email"`
	UnitID      int64         `json:"unit_id"`
	Language    string        `json:"language"`
	Disabled    bool          `json:"disabled"`
	Roles       []access.Role `json:"roles"`
	LockedUntil *time.Time    `json:"locked_until,omitempty"`
	Version     int           `json:"version"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// UserInput is what may be set on a user. Password and Roles are used only
// on creation; later they have their own calls.
type UserInput struct {
	Login    string        `json:"login"`
	Name     string        `json:"name"`
	Email    string        `json:"email"`
	UnitID   int64         `json:"unit_id"`
	Language string        `json:"language"`
	Disabled bool          `json:"disabled"`
	Password string        `json:"password,omitempty"`
	Roles    []access.Role `json:"roles,omitempty"`
}

// Languages are the UI languages a user may choose ("" follows the browser).
var Languages = []string{"", "zh-Hans", "zh-Hant", "en"}

var loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{1,39}$`)

const userColumns = `id, login, name, email, unit_id, language, disabled, locked_until, version, created_at, updated_at`

func scanUser(row db.Scanner) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Login, &u.Name, &u.Email, &u.UnitID, &u.Language, &u.Disabled, &u.LockedUntil, &u.Version, &u.CreatedAt, &u.UpdatedAt)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	if u.LockedUntil != nil {
		t := u.LockedUntil.UTC()
		u.LockedUntil = &t
	}
	return u, err
}

func roles(ctx context.Context, q db.Querier, id int64) ([]access.Role, error) {
	out, err := db.All(ctx, q, func(row db.Scanner) (r access.Role, err error) {
		err = row.Scan(&r)
		return r, err
	},
		`SELECT role FROM user_roles WHERE user_id = $1`, id)
	sortRoles(out)
	return out, err
}

// sortRoles puts roles in display order (access.Roles).
func sortRoles(rs []access.Role) {
	slices.SortFunc(rs, func(a, b access.Role) int { return slices.Index(access.Roles, a) - slices.Index(access.Roles, b) })
}

func getUser(ctx context.Context, q db.Querier, id int64) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return u, errs.NotFoundIf(err, "user")
	}
	u.Roles, err = roles(ctx, q, id)
	return u, err
}

// User returns one user, if the actor may see them.
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	u, err := getUser(ctx, s.DB.R, id)
	if err != nil {
		return u, err
	}
	a := access.FromContext(ctx)
	if a == nil || a.UserID != id {
		if err := a.Check(access.ViewUser, u.UnitID); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// UserUnit returns the unit a user belongs to (for permission scopes).
func (s *Service) UserUnit(ctx context.Context, id int64) (int64, error) {
	var unit int64
	err := s.DB.R.QueryRowContext(ctx, `SELECT unit_id FROM users WHERE id = $1`, id).Scan(&unit)
	return unit, errs.NotFoundIf(err, "user")
}

// UserFilter narrows a user list.
type UserFilter struct {
	UnitID int64
	Query  string // in login or name
}

// Users lists one page of users the actor may see, and the total.
func (s *Service) Users(ctx context.Context, f UserFilter, limit, offset int) ([]User, int, error) {
	a := access.FromContext(ctx)
	switch a.Reach(access.ListUsers) {
	case access.None:
		return nil, 0, a.Check(access.ListUsers, 0)
	case access.OwnUnit:
		if f.UnitID != 0 && f.UnitID != a.UnitID {
			return nil, 0, errs.New(errs.Forbidden, "error.forbidden")
		}
		f.UnitID = a.UnitID
	}
	where, args := " WHERE 1=1", []any{}
	if f.UnitID != 0 {
		args = append(args, f.UnitID)
		where += " AND unit_id = $" + itoa(len(args))
	}
	if f.Query != "" {
		args = append(args, db.Contains(f.Query))
		n := "$" + itoa(len(args))
		where += " AND (lower(login) LIKE " + n + ` ESCAPE '\' OR lower(name) LIKE ` + n + ` ESCAPE '\')`
	}
	var total int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM users`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	n := len(args)
	args = append(args, limit, offset)
	out, err := db.All(ctx, s.DB.R, scanUser, `SELECT `+userColumns+` FROM users`+where+
		` ORDER BY login LIMIT $`+itoa(n+1)+` OFFSET $`+itoa(n+2), args...)
	if err != nil {
		return nil, 0, err
	}
	return out, total, s.fillRoles(ctx, out)
}

// fillRoles loads the roles of a page of users in one query.
func (s *Service) fillRoles(ctx context.Context, users []User) error {
	if len(users) == 0 {
		return nil
	}
	idx := map[int64]int{}
	ph := make([]string, len(users))
	args := make([]any, len(users))
	for i, u := range users {
		idx[u.ID] = i
		users[i].Roles = []access.Role{}
		ph[i] = "$" + itoa(i+1)
		args[i] = u.ID
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT user_id, role FROM user_roles WHERE user_id IN (`+strings.Join(ph, ",")+`) ORDER BY user_id, role`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r access.Role
		if err := rows.Scan(&id, &r); err != nil {
			return err
		}
		users[idx[id]].Roles = append(users[idx[id]].Roles, r)
	}
	for i := range users {
		sortRoles(users[i].Roles)
	}
	return rows.Err()
}

func (in *UserInput) validate(ctx context.Context, q db.Querier, creating bool) error {
	var v errs.Validation
	in.Login = strings.TrimSpace(in.Login)
	if creating {
		if !loginPattern.MatchString(in.Login) {
			v.Add("login", "error.login_format")
		}
		checkStrength(&v, "password", in.Password)
	}
	v.Text("name", in.Name, true, 100)
	v.Text("email", in.Email, false, 254)
	if in.Email != "" {
		if _, err := mail.ParseAddress(in.Email); err != nil {
			v.Add("email", "error.email")
		}
	}
	if !slices.Contains(Languages, in.Language) {
		v.Add("language", "error.choice")
	}
	if in.UnitID == 0 {
		v.Add("unit_id", "error.required")
	} else {
		var active bool
		err := q.QueryRowContext(ctx, `SELECT active FROM units WHERE id = $1`, in.UnitID).Scan(&active)
		if err == sql.ErrNoRows {
			v.Add("unit_id", "error.unit.unknown")
		} else if err != nil {
			return err
		} else if !active {
			v.Add("unit_id", "error.unit.retired")
		}
	}
	return v.Err()
}

// CreateUser adds an account with its first password and roles.
func (s *Service) CreateUser(ctx context.Context, in UserInput) (User, error) {
	a := access.FromContext(ctx)
	if err := a.Check(access.CreateUser, in.UnitID); err != nil {
		return User{}, err
	}
	if err := access.CheckGrant(a, 0, in.Roles); err != nil {
		return User{}, err
	}
	return s.insertUser(ctx, in)
}

func (s *Service) insertUser(ctx context.Context, in UserInput) (User, error) {
	if err := in.validate(ctx, s.DB.R, true); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		now := s.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO users (login, name, email, unit_id, password_hash, language, disabled, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING id`,
			in.Login, in.Name, in.Email, in.UnitID, hash, in.Language, in.Disabled, now).Scan(&id)
		if err != nil {
			return errs.Unique(err, "login")
		}
		if err := insertRoles(ctx, tx, id, in.Roles); err != nil {
			return err
		}
		if u, err = getUser(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "user.create", ObjectType: "user", ObjectID: id, After: u})
	})
	return u, err
}

func insertRoles(ctx context.Context, tx *sql.Tx, id int64, rs []access.Role) error {
	for _, r := range rs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1,$2) ON CONFLICT DO NOTHING`, id, r); err != nil {
			return err
		}
	}
	return nil
}

// update runs change on a user inside a transaction after checking the
// version, then records before and after under action.
func (s *Service) update(ctx context.Context, id int64, version int, action string, change func(tx *sql.Tx, before User) error) (User, error) {
	var after User
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return errs.StaleVersion(before)
		}
		// Claim the version first: the conditional UPDATE takes the row lock,
		// so a concurrent writer that read the same version matches nothing
		// here (PostgreSQL re-checks the condition after waiting) instead of
		// overwriting the change that won.
		res, err := tx.ExecContext(ctx, `UPDATE users SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3`, s.now(), id, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			current, err := getUser(ctx, tx, id)
			if err != nil {
				return err
			}
			return errs.StaleVersion(current)
		}
		if err := change(tx, before); err != nil {
			return err
		}
		if after, err = getUser(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: action, ObjectType: "user", ObjectID: id, Before: before, After: after})
	})
	return after, err
}

// UpdateUser changes a user's profile fields and disabled flag. Disabling
// ends the user's sessions at once.
func (s *Service) UpdateUser(ctx context.Context, id int64, in UserInput, version int) (User, error) {
	a := access.FromContext(ctx)
	if err := a.Check(access.EditUser, 0); err != nil {
		return User{}, err
	}
	if in.Disabled && a.UserID == id {
		return User{}, errs.New(errs.Forbidden, "error.user.disable_self")
	}
	if err := in.validate(ctx, s.DB.R, false); err != nil {
		return User{}, err
	}
	return s.update(ctx, id, version, "user.update", func(tx *sql.Tx, _ User) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET name=$1, email=$2, unit_id=$3, language=$4, disabled=$5 WHERE id=$6`,
			in.Name, in.Email, in.UnitID, in.Language, in.Disabled, id)
		if err == nil && in.Disabled {
			_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		}
		return err
	})
}

// SetRoles replaces a user's roles under the rules of access.CheckGrant.
func (s *Service) SetRoles(ctx context.Context, id int64, rs []access.Role, version int) (User, error) {
	a := access.FromContext(ctx)
	if err := a.Check(access.SetRoles, 0); err != nil {
		return User{}, err
	}
	if err := access.CheckGrant(a, id, rs); err != nil {
		return User{}, err
	}
	return s.update(ctx, id, version, "user.roles", func(tx *sql.Tx, _ User) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1`, id); err != nil {
			return err
		}
		return insertRoles(ctx, tx, id, rs)
	})
}

// ResetPassword sets another user's password (security administrator),
// unlocks the account and ends its sessions.
func (s *Service) ResetPassword(ctx context.Context, id int64, password string, version int) (User, error) {
	if err := access.FromContext(ctx).Check(access.ResetPassword, 0); err != nil {
		return User{}, err
	}
	return s.setPassword(ctx, id, password, version, "user.password_reset")
}

func (s *Service) setPassword(ctx context.Context, id int64, password string, version int, action string) (User, error) {
	var v errs.Validation
	checkStrength(&v, "password", password)
	if err := v.Err(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	return s.update(ctx, id, version, action, func(tx *sql.Tx, _ User) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash=$1, failed_logins=0, locked_until=NULL WHERE id=$2`, hash, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return err
	})
}

// ChangeOwnPassword changes the actor's password after checking the old one.
// The actor's other sessions end; the current one is kept by the caller
// signing in again.
func (s *Service) ChangeOwnPassword(ctx context.Context, old, password string) (User, error) {
	a := access.FromContext(ctx)
	if err := a.Check(access.Self, 0); err != nil {
		return User{}, err
	}
	var hash string
	var version int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT password_hash, version FROM users WHERE id = $1`, a.UserID).Scan(&hash, &version); err != nil {
		return User{}, errs.NotFoundIf(err, "user")
	}
	if !CheckPassword(hash, old) {
		return User{}, &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "old_password", Key: "error.password.wrong"}}}
	}
	return s.setPassword(ctx, a.UserID, password, version, "user.password_change")
}

// SetOwnLanguage records the actor's preferred UI language.
func (s *Service) SetOwnLanguage(ctx context.Context, lang string) (User, error) {
	a := access.FromContext(ctx)
	if err := a.Check(access.Self, 0); err != nil {
		return User{}, err
	}
	if !slices.Contains(Languages, lang) {
		return User{}, &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "language", Key: "error.choice"}}}
	}
	var version int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT version FROM users WHERE id = $1`, a.UserID).Scan(&version); err != nil {
		return User{}, errs.NotFoundIf(err, "user")
	}
	return s.update(ctx, a.UserID, version, "user.language", func(tx *sql.Tx, _ User) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET language=$1 WHERE id=$2`, lang, a.UserID)
		return err
	})
}
