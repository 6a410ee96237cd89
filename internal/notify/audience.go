package notify

import (
	"context"
	"time"

	"concord/internal/access"
	"concord/internal/db"
)

// Audience is the set of users to tell about one event; each hears once.
type Audience map[int64]bool

// Add puts users in the audience.
func (a Audience) Add(ids ...int64) {
	for _, id := range ids {
		a[id] = true
	}
}

// Role adds the active users holding role, in unit (0: any unit).
func (a Audience) Role(ctx context.Context, q db.Querier, role access.Role, unit int64) error {
	query := `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = $1 AND NOT u.disabled`
	args := []any{role}
	if unit != 0 {
		query += ` AND u.unit_id = $2`
		args = append(args, unit)
	}
	ids, err := db.All(ctx, q, func(row db.Scanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, query, args...)
	a.Add(ids...)
	return err
}

// UnitStaff adds a unit's reporters, or its leaders when it has no reporter:
// the people who act for a unit on work nobody in it was named for.
func (a Audience) UnitStaff(ctx context.Context, q db.Querier, unit int64) error {
	staff := Audience{}
	if err := staff.Role(ctx, q, access.Reporter, unit); err != nil {
		return err
	}
	if len(staff) == 0 {
		if err := staff.Role(ctx, q, access.UnitLeader, unit); err != nil {
			return err
		}
	}
	for id := range staff {
		a[id] = true
	}
	return nil
}

// Send notifies everyone in the audience with m, once per user and m.Dedupe.
func (a Audience) Send(ctx context.Context, q db.Querier, now time.Time, m Message) error {
	for id := range a {
		m.UserID = id
		if _, err := Notify(ctx, q, now, m); err != nil {
			return err
		}
	}
	return nil
}

// Login adds the active user with login, if there is one.
func (a Audience) Login(ctx context.Context, q db.Querier, login string) error {
	ids, err := db.All(ctx, q, func(row db.Scanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `SELECT id FROM users WHERE login = $1 AND NOT disabled`, login)
	a.Add(ids...)
	return err
}
