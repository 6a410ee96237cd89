package meetings

import (
	"context"
	"database/sql"
	"regexp"
	"slices"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
)

// Level is where a specialist committee sits in the belt's machinery.
type Level string

const (
	LevelDecision     Level = "decision"
	LevelCoordination Level = "coordination"
	LevelExecution    Level = "execution"
)

// Levels lists the committee levels from the top.
var Levels = []Level{LevelDecision, LevelCoordination, LevelExecution}

// Committee is a specialist committee (专业委员会): a standing group
// of units around a theme, with its own meetings and their decisions' tasks.
type Committee struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Theme     string    `json:"theme"`
	Level     Level     `json:"level"`
	UnitIDs   []int64   `json:"unit_ids"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CommitteeInput is what a caller sets on a committee.
type CommitteeInput struct {
	Code    string  `json:"code"`
	Name    string  `json:"name"`
	Theme   string  `json:"theme"`
	Level   Level   `json:"level"`
	UnitIDs []int64 `json:"unit_ids"`
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

func (in CommitteeInput) validate(ctx context.Context, q db.Querier) error {
	var v errs.Validation
	if !codePattern.MatchString(in.Code) {
		v.Add("code", "error.code_format")
	}
	v.Text("name", in.Name, true, 200)
	v.Text("theme", in.Theme, false, 2000)
	if !slices.Contains(Levels, in.Level) {
		v.Add("level", "error.choice")
	}
	if err := checkUnits(ctx, q, &v, "unit_ids", in.UnitIDs); err != nil {
		return err
	}
	return v.Err()
}

// checkUnits requires every id to be an active unit, none twice.
func checkUnits(ctx context.Context, q db.Querier, v *errs.Validation, field string, ids []int64) error {
	for i, u := range ids {
		if slices.Contains(ids[:i], u) {
			v.Add(field, "error.meeting.unit_twice")
			continue
		}
		if err := checkUnit(ctx, q, v, field, u); err != nil {
			return err
		}
	}
	return nil
}

const committeeColumns = `id, code, name, theme, level, version, created_at, updated_at`

func getCommittee(ctx context.Context, q db.Querier, id int64) (Committee, error) {
	var c Committee
	err := q.QueryRowContext(ctx, `SELECT `+committeeColumns+` FROM committees WHERE id = $1`, id).
		Scan(&c.ID, &c.Code, &c.Name, &c.Theme, &c.Level, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return c, errs.NotFoundIf(err, "committee")
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.UnitIDs, err = ids(ctx, q, `SELECT unit_id FROM committee_members WHERE committee_id = $1 ORDER BY unit_id`, id)
	return c, err
}

// ids runs a query of one id column.
func ids(ctx context.Context, q db.Querier, query string, args ...any) ([]int64, error) {
	out, err := db.All(ctx, q, func(row db.Scanner) (int64, error) {
		var n int64
		return n, row.Scan(&n)
	}, query, args...)
	if out == nil {
		out = []int64{}
	}
	return out, err
}

// each loads every object whose id query lists, in that order.
func each[T any](ctx context.Context, q db.Querier, load func(context.Context, db.Querier, int64) (T, error), query string, args ...any) ([]T, error) {
	list, err := ids(ctx, q, query, args...)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(list))
	for _, id := range list {
		v, err := load(ctx, q, id)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Committee returns one committee with its members.
func (s *Service) Committee(ctx context.Context, id int64) (Committee, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return Committee{}, err
	}
	return getCommittee(ctx, s.DB.R, id)
}

// Committees lists the committees, top level first.
func (s *Service) Committees(ctx context.Context) ([]Committee, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return nil, err
	}
	return each(ctx, s.DB.R, getCommittee, `SELECT id FROM committees ORDER BY CASE level WHEN 'decision' THEN 0 WHEN 'coordination' THEN 1 ELSE 2 END, code`)
}

// SaveCommittee creates a committee (id 0) or replaces one if version is
// current.
func (s *Service) SaveCommittee(ctx context.Context, id int64, in CommitteeInput, version int) (Committee, error) {
	if err := access.FromContext(ctx).Check(access.ManageMeetings, 0); err != nil {
		return Committee{}, err
	}
	var after Committee
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		if err := in.validate(ctx, tx); err != nil {
			return err
		}
		now := s.now()
		var before any
		if id == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO committees (code, name, theme, level, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$5) RETURNING id`,
				in.Code, in.Name, in.Theme, in.Level, now).Scan(&id); err != nil {
				return errs.Unique(err, "code")
			}
		} else {
			cur, err := getCommittee(ctx, tx, id)
			if err != nil {
				return err
			}
			before = cur
			res, err := tx.ExecContext(ctx, `UPDATE committees SET code=$1, name=$2, theme=$3, level=$4, updated_at=$5, version=version+1 WHERE id=$6 AND version=$7`,
				in.Code, in.Name, in.Theme, in.Level, now, id, version)
			if err != nil {
				return errs.Unique(err, "code")
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.StaleVersion(cur)
			}
		}
		if err := replaceLinks(ctx, tx, "committee_members", "committee_id", "unit_id", id, in.UnitIDs); err != nil {
			return err
		}
		var err error
		if after, err = getCommittee(ctx, tx, id); err != nil {
			return err
		}
		action := "committee.create"
		if before != nil {
			action = "committee.update"
		}
		return audit.Record(ctx, tx, audit.Change{Action: action, ObjectType: "committee", ObjectID: id, Before: before, After: after})
	})
	return after, err
}

// replaceLinks makes the rows (owner, x) of a link table exactly those of list.
func replaceLinks(ctx context.Context, tx *sql.Tx, table, ownerCol, col string, owner int64, list []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+ownerCol+` = $1`, owner); err != nil {
		return err
	}
	for _, x := range list {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+ownerCol+`, `+col+`) VALUES ($1,$2)`, owner, x); err != nil {
			return err
		}
	}
	return nil
}
