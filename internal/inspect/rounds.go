// Package inspect runs inspections (督查检查) and rectification (整改): an
// inspection round checks a plan, a coordination area or named units, its
// inspectors record findings per unit, and a finding opens rectification
// items that the unit answers with evidence and an inspector accepts or
// sends back. Rectification items can come from other sources too; overdue
// ones are chased daily like tasks.
package inspect

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/changes"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/plans"
)

// Service is the inspections' store.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	// Plans gives the chase rules (plans.Settings), shared with tasks.
	Plans  *plans.Service
	writes changes.Counter
}

// Changes counts the writes this service has committed, for caches of what
// it reads.
func (s *Service) Changes() uint64 { return s.writes.N() }

func (s *Service) now() time.Time    { return s.Clock.Now() }
func (s *Service) today() clock.Date { return clock.Today(s.Clock) }

// Status is where a round is in its life.
type Status string

const (
	Planned    Status = "planned"
	InProgress Status = "in_progress"
	Finished   Status = "finished"
)

// Round is an inspection round.
type Round struct {
	ID         int64      `json:"id"`
	Title      string     `json:"title"`
	PlanID     *int64     `json:"plan_id"`
	AreaID     *int64     `json:"area_id"`
	UnitIDs    []int64    `json:"unit_ids"`
	Inspectors []int64    `json:"inspector_ids"`
	StartsOn   clock.Date `json:"starts_on"`
	EndsOn     clock.Date `json:"ends_on"`
	Status     Status     `json:"status"`
	Summary    string     `json:"summary"`
	Revision   int        `json:"revision"`
	CreatedBy  string     `json:"created_by"`
	Version    int        `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// RoundInput is what a caller sets on a round. The scope is a plan, an
// area, units, or any mix of them; at least one.
type RoundInput struct {
	Title      string     `json:"title"`
	PlanID     *int64     `json:"plan_id"`
	AreaID     *int64     `json:"area_id"`
	UnitIDs    []int64    `json:"unit_ids"`
	Inspectors []int64    `json:"inspector_ids"`
	StartsOn   clock.Date `json:"starts_on"`
	EndsOn     clock.Date `json:"ends_on"`
	Summary    string     `json:"summary"`
}

// Revision is a finished round as it was before a correction.
type Revision struct {
	Revision  int             `json:"revision"`
	Reason    string          `json:"reason"`
	Before    json.RawMessage `json:"before"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
}

const roundColumns = `id, title, plan_id, area_id, starts_on, ends_on, status, summary, revision, created_by, version, created_at, updated_at`

func scanRound(row db.Scanner) (Round, error) {
	var r Round
	err := row.Scan(&r.ID, &r.Title, &r.PlanID, &r.AreaID, &r.StartsOn, &r.EndsOn, &r.Status, &r.Summary, &r.Revision, &r.CreatedBy, &r.Version, &r.CreatedAt, &r.UpdatedAt)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, err
}

func ids(ctx context.Context, q db.Querier, query string, args ...any) ([]int64, error) {
	out, err := db.All(ctx, q, func(row db.Scanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, query, args...)
	if out == nil {
		out = []int64{}
	}
	return out, err
}

func getRound(ctx context.Context, q db.Querier, id int64) (Round, error) {
	r, err := scanRound(q.QueryRowContext(ctx, `SELECT `+roundColumns+` FROM inspections WHERE id = $1`, id))
	if err != nil {
		return r, errs.NotFoundIf(err, "inspection")
	}
	if r.UnitIDs, err = ids(ctx, q, `SELECT unit_id FROM inspection_units WHERE inspection_id = $1 ORDER BY unit_id`, id); err != nil {
		return r, err
	}
	r.Inspectors, err = ids(ctx, q, `SELECT user_id FROM inspection_inspectors WHERE inspection_id = $1 ORDER BY user_id`, id)
	return r, err
}

// Round returns one round with its scope and inspectors.
func (s *Service) Round(ctx context.Context, id int64) (Round, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return Round{}, err
	}
	return getRound(ctx, s.DB.R, id)
}

// Rounds lists every round, the latest first (without units and inspectors).
func (s *Service) Rounds(ctx context.Context) ([]Round, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanRound, `SELECT `+roundColumns+` FROM inspections ORDER BY starts_on DESC, id DESC`)
}

func exists(ctx context.Context, q db.Querier, query string, args ...any) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, query, args...).Scan(&n)
	return n > 0, err
}

func (in *RoundInput) validate(ctx context.Context, q db.Querier) error {
	var v errs.Validation
	v.Text("title", in.Title, true, 200)
	v.Text("summary", in.Summary, false, 8000)
	switch {
	case in.StartsOn.IsZero():
		v.Add("starts_on", "error.required")
	case in.EndsOn.IsZero():
		v.Add("ends_on", "error.required")
	case in.EndsOn.Before(in.StartsOn):
		v.Add("ends_on", "error.date_order")
	}
	if in.PlanID == nil && in.AreaID == nil && len(in.UnitIDs) == 0 {
		v.Add("unit_ids", "error.inspection.scope")
	}
	check := func(field string, id *int64, query, key string) error {
		if id == nil {
			return nil
		}
		ok, err := exists(ctx, q, query, *id)
		if err == nil && !ok {
			v.Add(field, key, *id)
		}
		return err
	}
	if err := check("plan_id", in.PlanID, `SELECT count(*) FROM plans WHERE id = $1`, "error.inspection.plan_unknown"); err != nil {
		return err
	}
	if err := check("area_id", in.AreaID, `SELECT count(*) FROM areas WHERE id = $1 AND active`, "error.plan.area_unknown"); err != nil {
		return err
	}
	in.UnitIDs = unique(in.UnitIDs)
	for _, u := range in.UnitIDs {
		if err := check("unit_ids", &u, `SELECT count(*) FROM units WHERE id = $1 AND active`, "error.inspection.unit_unknown"); err != nil {
			return err
		}
	}
	in.Inspectors = unique(in.Inspectors)
	if len(in.Inspectors) == 0 {
		v.Add("inspector_ids", "error.required")
	}
	for _, u := range in.Inspectors {
		err := check("inspector_ids", &u, `SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id
			WHERE u.id = $1 AND NOT u.disabled AND r.role IN ('inspector','coordinator')`, "error.inspection.inspector")
		if err != nil {
			return err
		}
	}
	return v.Err()
}

func unique(list []int64) []int64 {
	out := slices.Clone(list)
	slices.Sort(out)
	return slices.Compact(out)
}

// CreateRound plans a round.
func (s *Service) CreateRound(ctx context.Context, in RoundInput) (Round, error) {
	if err := access.FromContext(ctx).Check(access.EditInspections, 0); err != nil {
		return Round{}, err
	}
	var r Round
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		if err := in.validate(ctx, tx); err != nil {
			return err
		}
		var id int64
		now := s.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO inspections (title, plan_id, area_id, starts_on, ends_on, summary, created_by, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING id`, in.Title, in.PlanID, in.AreaID, in.StartsOn, in.EndsOn, in.Summary,
			access.FromContext(ctx).LoginOrSystem(), now).Scan(&id)
		if err != nil {
			return err
		}
		if err := setScope(ctx, tx, id, in); err != nil {
			return err
		}
		if r, err = getRound(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "inspection.create", ObjectType: "inspection", ObjectID: id, After: r})
	})
	return r, err
}

func setScope(ctx context.Context, tx *sql.Tx, id int64, in RoundInput) error {
	for _, q := range []string{`DELETE FROM inspection_units WHERE inspection_id = $1`, `DELETE FROM inspection_inspectors WHERE inspection_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return err
		}
	}
	for _, u := range in.UnitIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_units (inspection_id, unit_id) VALUES ($1,$2)`, id, u); err != nil {
			return err
		}
	}
	for _, u := range in.Inspectors {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_inspectors (inspection_id, user_id) VALUES ($1,$2)`, id, u); err != nil {
			return err
		}
	}
	return nil
}

// claimRound takes the round's next version for this transaction, or says
// the caller's copy is stale.
func claimRound(ctx context.Context, tx *sql.Tx, id int64, version int) (Round, error) {
	before, err := getRound(ctx, tx, id)
	if err != nil {
		return Round{}, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE inspections SET version = version + 1 WHERE id = $1 AND version = $2`, id, version)
	if err != nil {
		return Round{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Round{}, errs.StaleVersion(before)
	}
	return before, nil
}

// UpdateRound changes a round that is not finished yet.
func (s *Service) UpdateRound(ctx context.Context, id int64, in RoundInput, version int) (Round, error) {
	return s.edit(ctx, id, version, "inspection.update", func(tx *sql.Tx, before Round) (string, error) {
		if before.Status == Finished {
			return "", errs.New(errs.Conflict, "error.inspection.finished")
		}
		return "", s.write(ctx, tx, id, in, before.Revision)
	})
}

// CorrectRound changes a finished round: the round as it was is kept as a
// revision with the reason, and the round's revision goes up by one.
func (s *Service) CorrectRound(ctx context.Context, id int64, in RoundInput, reason string, version int) (Round, error) {
	return s.edit(ctx, id, version, "inspection.correct", func(tx *sql.Tx, before Round) (string, error) {
		if before.Status != Finished {
			return "", errs.New(errs.Conflict, "error.inspection.not_finished")
		}
		var v errs.Validation
		v.Text("reason", reason, true, 1000)
		if err := v.Err(); err != nil {
			return "", err
		}
		snapshot, err := json.Marshal(before)
		if err != nil {
			return "", err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO inspection_revisions (inspection_id, revision, reason, before_json, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6)`,
			id, before.Revision, reason, string(snapshot), access.FromContext(ctx).LoginOrSystem(), s.now())
		if err != nil {
			return "", err
		}
		return reason, s.write(ctx, tx, id, in, before.Revision+1)
	})
}

func (s *Service) write(ctx context.Context, tx *sql.Tx, id int64, in RoundInput, revision int) error {
	if err := in.validate(ctx, tx); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE inspections SET title=$1, plan_id=$2, area_id=$3, starts_on=$4, ends_on=$5, summary=$6, revision=$7, updated_at=$8 WHERE id=$9`,
		in.Title, in.PlanID, in.AreaID, in.StartsOn, in.EndsOn, in.Summary, revision, s.now(), id)
	if err != nil {
		return err
	}
	return setScope(ctx, tx, id, in)
}

// SetRoundStatus moves a round planned → in progress → finished, one step
// at a time.
func (s *Service) SetRoundStatus(ctx context.Context, id int64, status Status, version int) (Round, error) {
	return s.edit(ctx, id, version, "inspection.status", func(tx *sql.Tx, before Round) (string, error) {
		if !(before.Status == Planned && status == InProgress || before.Status == InProgress && status == Finished) {
			return "", errs.New(errs.Conflict, "error.inspection.transition", string(before.Status), string(status))
		}
		_, err := tx.ExecContext(ctx, `UPDATE inspections SET status=$1, updated_at=$2 WHERE id=$3`, status, s.now(), id)
		return "", err
	})
}

// edit claims a round's version, checks that the actor inspects it, applies
// change and records before and after.
func (s *Service) edit(ctx context.Context, id int64, version int, action string, change func(*sql.Tx, Round) (string, error)) (Round, error) {
	if err := access.FromContext(ctx).Check(access.EditInspections, 0); err != nil {
		return Round{}, err
	}
	var after Round
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		// The round's lock orders this with findings being recorded.
		if err := s.DB.Serialize(ctx, tx, "inspection:"+itoa(id)); err != nil {
			return err
		}
		before, err := claimRound(ctx, tx, id, version)
		if err != nil {
			return err
		}
		detail, err := change(tx, before)
		if err != nil {
			return err
		}
		if after, err = getRound(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: action, ObjectType: "inspection", ObjectID: id, Before: before, After: after, Detail: detail})
	})
	return after, err
}

// Revisions lists a round's earlier revisions, oldest first.
func (s *Service) Revisions(ctx context.Context, id int64) ([]Revision, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, func(row db.Scanner) (Revision, error) {
		var r Revision
		var before string
		err := row.Scan(&r.Revision, &r.Reason, &before, &r.CreatedBy, &r.CreatedAt)
		r.Before, r.CreatedAt = json.RawMessage(before), r.CreatedAt.UTC()
		return r, err
	}, `SELECT revision, reason, before_json, created_by, created_at FROM inspection_revisions WHERE inspection_id = $1 ORDER BY revision`, id)
}

// Person is someone who may be named an inspector of a round.
type Person struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
	Name  string `json:"name"`
}

// Inspectors lists the active users who may inspect: the inspectors and
// the coordination office, by name.
func (s *Service) Inspectors(ctx context.Context) ([]Person, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, func(row db.Scanner) (Person, error) {
		var p Person
		return p, row.Scan(&p.ID, &p.Login, &p.Name)
	}, `SELECT DISTINCT u.id, u.login, u.name FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE NOT u.disabled AND r.role IN ('inspector','coordinator') ORDER BY u.name, u.id`)
}
