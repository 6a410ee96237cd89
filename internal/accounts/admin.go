package accounts

import (
	"context"
	"database/sql"
	"strings"

	"concord/internal/access"
	"concord/internal/errs"
)

// The Admin calls are the operator's, run from the command line on the
// server: they act as "system" rather than as a signed-in security
// administrator, and each is recorded on the audit trail in the same
// transaction as its change. They keep the rules that do not depend on who
// acts: the password rule and an administrator duty held alone (三员分立).

func systemActor(ctx context.Context) context.Context {
	return access.WithActor(ctx, &access.Actor{Login: "system"})
}

// UserByLogin returns the user with login.
func (s *Service) UserByLogin(ctx context.Context, login string) (User, error) {
	var id int64
	err := s.DB.R.QueryRowContext(ctx, `SELECT id FROM users WHERE login = $1`, strings.TrimSpace(login)).Scan(&id)
	if err != nil {
		return User{}, errs.NotFoundIf(err, "user")
	}
	return getUser(ctx, s.DB.R, id)
}

// AdminSetPassword sets a user's password, unlocks the account and ends its
// sessions.
func (s *Service) AdminSetPassword(ctx context.Context, login, password string) (User, error) {
	u, err := s.UserByLogin(ctx, login)
	if err != nil {
		return User{}, err
	}
	return s.setPassword(systemActor(ctx), u.ID, password, u.Version, "user.password_reset")
}

// AdminCreateUser adds a user with their first password and roles, as
// Bootstrap does, after checking the roles.
func (s *Service) AdminCreateUser(ctx context.Context, in UserInput) (User, error) {
	var err error
	if in.Roles, err = access.CheckRoles(in.Roles); err != nil {
		return User{}, err
	}
	return s.Bootstrap(ctx, in)
}

// AdminSetRoles replaces a user's roles.
func (s *Service) AdminSetRoles(ctx context.Context, login string, rs []access.Role) (User, error) {
	rs, err := access.CheckRoles(rs)
	if err != nil {
		return User{}, err
	}
	u, err := s.UserByLogin(ctx, login)
	if err != nil {
		return User{}, err
	}
	ctx = systemActor(ctx)
	return s.update(ctx, u.ID, u.Version, "user.roles", func(tx *sql.Tx, _ User) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1`, u.ID); err != nil {
			return err
		}
		return insertRoles(ctx, tx, u.ID, rs)
	})
}

// AdminSetDisabled disables or re-enables a user. Disabling ends the user's
// sessions at once.
func (s *Service) AdminSetDisabled(ctx context.Context, login string, disabled bool) (User, error) {
	u, err := s.UserByLogin(ctx, login)
	if err != nil {
		return User{}, err
	}
	ctx = systemActor(ctx)
	return s.update(ctx, u.ID, u.Version, "user.update", func(tx *sql.Tx, _ User) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, disabled, u.ID)
		if err == nil && disabled {
			_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID)
		}
		return err
	})
}
