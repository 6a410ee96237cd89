// Package plans runs the supervision cycle: plans and their revisions, goals,
// tasks with a lead unit and co-operating units, each unit's assignment and
// its progress reports, review, completion and closure, status lights,
// reminders and chases, and the figures the dashboards show.
package plans

import (
	"context"
	"database/sql"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
)

// Service is the supervision cycle's store.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	dash  dashCache
	lists listCache
}

// tx runs fn in a write transaction and, once it has committed, lets the
// cached dashboards know that the figures may have changed.
func (s *Service) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	err := s.DB.Tx(ctx, fn)
	if err == nil {
		s.dash.changed()
	}
	return err
}

// Changes counts the writes this service has committed, for caches of what
// it reads.
func (s *Service) Changes() uint64 { return s.dash.generation() }

func (s *Service) now() time.Time    { return s.Clock.Now() }
func (s *Service) today() clock.Date { return clock.Today(s.Clock) }

// PlanKind tells a multi-year action plan from an annual list of work points.
type PlanKind string

const (
	ActionPlan PlanKind = "action" // e.g. the 2018–2020 three-year action plan
	AnnualPlan PlanKind = "annual" // e.g. the 2018 work points, under an action plan
)

// PlanStatus is where a plan is in its life.
type PlanStatus string

const (
	Draft   PlanStatus = "draft"
	InForce PlanStatus = "in_force"
	Done    PlanStatus = "closed"
)

// Plan is an action plan or a year's work points.
type Plan struct {
	ID          int64      `json:"id"`
	Code        string     `json:"code"`
	Kind        PlanKind   `json:"kind"`
	ParentID    *int64     `json:"parent_id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	StartsOn    clock.Date `json:"starts_on"`
	EndsOn      clock.Date `json:"ends_on"`
	Status      PlanStatus `json:"status"`
	Revision    int        `json:"revision"`
	Sample      bool       `json:"sample"`
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// PlanInput is what a caller sets on a plan.
type PlanInput struct {
	Code        string     `json:"code"`
	Kind        PlanKind   `json:"kind"`
	ParentID    *int64     `json:"parent_id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	StartsOn    clock.Date `json:"starts_on"`
	EndsOn      clock.Date `json:"ends_on"`
	Sample      bool       `json:"sample"`
}

const planColumns = `id, code, kind, parent_id, name, description, starts_on, ends_on, status, revision, sample, version, created_at, updated_at`

func scanPlan(row db.Scanner) (Plan, error) {
	var p Plan
	err := row.Scan(&p.ID, &p.Code, &p.Kind, &p.ParentID, &p.Name, &p.Description, &p.StartsOn, &p.EndsOn, &p.Status, &p.Revision, &p.Sample, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

func getPlan(ctx context.Context, q db.Querier, id int64) (Plan, error) {
	p, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans WHERE id = $1`, id))
	return p, errs.NotFoundIf(err, "plan")
}

// Plan returns one plan.
func (s *Service) Plan(ctx context.Context, id int64) (Plan, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return Plan{}, err
	}
	return getPlan(ctx, s.DB.R, id)
}

// PlanByCode returns the plan with code.
func (s *Service) PlanByCode(ctx context.Context, code string) (Plan, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return Plan{}, err
	}
	p, err := scanPlan(s.DB.R.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans WHERE code = $1`, code))
	return p, errs.NotFoundIf(err, "plan")
}

// Plans lists every plan, action plans before their work points, newest
// first. The dashboard and every list page offer them to choose from, so
// the list is kept as a dashboard is: until this instance changes anything
// or dashboardTTL passes.
func (s *Service) Plans(ctx context.Context) ([]Plan, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, err
	}
	now := s.now()
	if ps, ok := s.dash.planList(now); ok {
		return ps, nil
	}
	gen := s.dash.generation()
	ps, err := db.All(ctx, s.DB.R, scanPlan, `SELECT `+planColumns+` FROM plans ORDER BY starts_on DESC, kind, code`)
	if err == nil {
		s.dash.keepPlans(ps, gen, now)
	}
	return ps, err
}

func (in *PlanInput) validate(ctx context.Context, q db.Querier, self int64) error {
	var v errs.Validation
	checkCode(&v, "code", in.Code)
	v.Text("name", in.Name, true, 200)
	v.Text("description", in.Description, false, 4000)
	if in.Kind != ActionPlan && in.Kind != AnnualPlan {
		v.Add("kind", "error.choice")
	}
	checkPeriod(&v, "starts_on", "ends_on", in.StartsOn, in.EndsOn)
	switch {
	case in.Kind == AnnualPlan && in.ParentID == nil:
		v.Add("parent_id", "error.plan.annual_parent")
	case in.Kind == ActionPlan && in.ParentID != nil:
		v.Add("parent_id", "error.plan.action_parent")
	case in.ParentID != nil:
		parent, err := getPlan(ctx, q, *in.ParentID)
		switch {
		case errs.Is(err, errs.NotFound) || err == nil && (parent.Kind != ActionPlan || parent.ID == self):
			v.Add("parent_id", "error.plan.annual_parent")
		case err != nil:
			return err
		case !in.StartsOn.IsZero() && !in.EndsOn.IsZero() && (in.StartsOn.Before(parent.StartsOn) || in.EndsOn.After(parent.EndsOn)):
			v.Add("ends_on", "error.plan.outside_parent", parent.StartsOn.String(), parent.EndsOn.String())
		}
	}
	return v.Err()
}

// CreatePlan adds a plan as a draft.
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (Plan, error) {
	if err := access.FromContext(ctx).Check(access.EditPlans, 0); err != nil {
		return Plan{}, err
	}
	var p Plan
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = s.insertPlan(ctx, tx, in)
		return err
	})
	return p, err
}

func (s *Service) insertPlan(ctx context.Context, tx *sql.Tx, in PlanInput) (Plan, error) {
	if err := in.validate(ctx, tx, 0); err != nil {
		return Plan{}, err
	}
	var id int64
	now := s.now()
	err := tx.QueryRowContext(ctx, `INSERT INTO plans (code, kind, parent_id, name, description, starts_on, ends_on, status, sample, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,'draft',$8,$9,$9) RETURNING id`,
		in.Code, in.Kind, in.ParentID, in.Name, in.Description, in.StartsOn, in.EndsOn, in.Sample, now).Scan(&id)
	if err != nil {
		return Plan{}, errs.Unique(err, "code")
	}
	p, err := getPlan(ctx, tx, id)
	if err != nil {
		return Plan{}, err
	}
	return p, audit.Record(ctx, tx, audit.Change{Action: "plan.create", ObjectType: "plan", ObjectID: id, After: p})
}

// UpdatePlan replaces a plan's fields if version is current. A closed plan
// cannot change.
func (s *Service) UpdatePlan(ctx context.Context, id int64, in PlanInput, version int) (Plan, error) {
	if err := access.FromContext(ctx).Check(access.EditPlans, 0); err != nil {
		return Plan{}, err
	}
	var after Plan
	err := s.tx(ctx, func(tx *sql.Tx) error {
		before, err := claimPlan(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if before.Status == Done {
			return errs.New(errs.Conflict, "error.plan.closed")
		}
		if err := in.validate(ctx, tx, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE plans SET code=$1, kind=$2, parent_id=$3, name=$4, description=$5, starts_on=$6, ends_on=$7, sample=$8, updated_at=$9 WHERE id=$10`,
			in.Code, in.Kind, in.ParentID, in.Name, in.Description, in.StartsOn, in.EndsOn, in.Sample, s.now(), id)
		if err != nil {
			return errs.Unique(err, "code")
		}
		if after, err = getPlan(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "plan.update", ObjectType: "plan", ObjectID: id, Before: before, After: after})
	})
	return after, err
}

// claimPlan takes the plan's next version for this transaction, or says the
// caller's copy is stale. Everything that changes a plan, its goals or its
// tasks' set claims it first, so two edits of one plan never interleave.
func claimPlan(ctx context.Context, tx *sql.Tx, id int64, version int) (Plan, error) {
	before, err := getPlan(ctx, tx, id)
	if err != nil {
		return Plan{}, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE plans SET version = version + 1 WHERE id = $1 AND version = $2`, id, version)
	if err != nil {
		return Plan{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		cur, err := getPlan(ctx, tx, id)
		if err != nil {
			return Plan{}, err
		}
		return Plan{}, errs.StaleVersion(cur)
	}
	return before, nil
}

// lockPlan makes writers of one plan's content run one at a time, so a
// revision is numbered and diffed against a stable baseline. Task edits carry
// the task's version, not the plan's, so the plan's version stays put.
func (s *Service) lockPlan(ctx context.Context, tx *sql.Tx, id int64) (Plan, error) {
	if err := s.DB.Serialize(ctx, tx, "plan:"+itoa(int(id))); err != nil {
		return Plan{}, err
	}
	return getPlan(ctx, tx, id)
}

// SetPlanStatus moves a plan draft → in force → closed. Putting a plan in
// force records revision 1, the baseline later revisions are diffed against.
func (s *Service) SetPlanStatus(ctx context.Context, id int64, status PlanStatus, note RevisionNote, version int) (Plan, error) {
	if err := access.FromContext(ctx).Check(access.EditPlans, 0); err != nil {
		return Plan{}, err
	}
	var after Plan
	err := s.tx(ctx, func(tx *sql.Tx) error {
		before, err := claimPlan(ctx, tx, id, version)
		if err != nil {
			return err
		}
		switch {
		case before.Status == Draft && status == InForce:
			var v errs.Validation
			v.Text("revision.approved_by", note.ApprovedBy, true, 200)
			if err := v.Err(); err != nil {
				return err
			}
			if note.Reason == "" {
				note.Reason = "—"
			}
		case before.Status == InForce && status == Done:
		default:
			return errs.New(errs.Conflict, "error.plan.transition", string(before.Status), string(status))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plans SET status=$1, updated_at=$2 WHERE id=$3`, status, s.now(), id); err != nil {
			return err
		}
		if status == InForce {
			if err := s.baseline(ctx, tx, id, note); err != nil {
				return err
			}
		}
		if after, err = getPlan(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "plan.status", ObjectType: "plan", ObjectID: id, Before: before, After: after})
	})
	return after, err
}
