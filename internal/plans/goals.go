package plans

import (
	"context"
	"database/sql"
	"regexp"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
)

// Goal groups a plan's tasks within one coordination area.
type Goal struct {
	ID        int64     `json:"id"`
	PlanID    int64     `json:"plan_id"`
	Code      string    `json:"code"`
	Title     string    `json:"title"`
	AreaID    int64     `json:"area_id"`
	Position  int       `json:"position"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// GoalInput is what a caller sets on a goal.
type GoalInput struct {
	Code     string `json:"code"`
	Title    string `json:"title"`
	AreaID   int64  `json:"area_id"`
	Position int    `json:"position"`
}

const goalColumns = `id, plan_id, code, title, area_id, position, version, created_at, updated_at`

func scanGoal(row db.Scanner) (Goal, error) {
	var g Goal
	err := row.Scan(&g.ID, &g.PlanID, &g.Code, &g.Title, &g.AreaID, &g.Position, &g.Version, &g.CreatedAt, &g.UpdatedAt)
	g.CreatedAt, g.UpdatedAt = g.CreatedAt.UTC(), g.UpdatedAt.UTC()
	return g, err
}

func getGoal(ctx context.Context, q db.Querier, id int64) (Goal, error) {
	g, err := scanGoal(q.QueryRowContext(ctx, `SELECT `+goalColumns+` FROM goals WHERE id = $1`, id))
	return g, errs.NotFoundIf(err, "goal")
}

// Goal returns one goal.
func (s *Service) Goal(ctx context.Context, id int64) (Goal, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return Goal{}, err
	}
	return getGoal(ctx, s.DB.R, id)
}

// Goals lists a plan's goals in order.
func (s *Service) Goals(ctx context.Context, planID int64) ([]Goal, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanGoal, `SELECT `+goalColumns+` FROM goals WHERE plan_id = $1 ORDER BY position, code`, planID)
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

func checkCode(v *errs.Validation, field, code string) {
	if code == "" {
		v.Add(field, "error.required")
	} else if !codePattern.MatchString(code) {
		v.Add(field, "error.code_format")
	}
}

func (in GoalInput) validate(ctx context.Context, q db.Querier) error {
	var v errs.Validation
	checkCode(&v, "code", in.Code)
	v.Text("title", in.Title, true, 300)
	if err := checkArea(ctx, storeRefs{q}, &v, "area_id", in.AreaID); err != nil {
		return err
	}
	return v.Err()
}

func checkArea(ctx context.Context, r refs, v *errs.Validation, field string, id int64) error {
	exists, active, err := r.area(ctx, id)
	switch {
	case err != nil:
		return err
	case !exists:
		v.Add(field, "error.plan.area_unknown")
	case !active:
		v.Add(field, "error.plan.area_retired")
	}
	return nil
}

// refs answers the lookups that validation makes: from the store, or from
// tables loaded once for a batch.
type refs interface {
	goal(ctx context.Context, id int64) (Goal, error)
	area(ctx context.Context, id int64) (exists, active bool, err error)
	unit(ctx context.Context, id int64) (exists, active bool, err error)
}

type storeRefs struct{ q db.Querier }

func (r storeRefs) goal(ctx context.Context, id int64) (Goal, error) { return getGoal(ctx, r.q, id) }

func (r storeRefs) area(ctx context.Context, id int64) (bool, bool, error) {
	return activeRow(ctx, r.q, `SELECT active FROM areas WHERE id = $1`, id)
}

func (r storeRefs) unit(ctx context.Context, id int64) (bool, bool, error) {
	return activeRow(ctx, r.q, `SELECT active FROM units WHERE id = $1`, id)
}

func activeRow(ctx context.Context, q db.Querier, query string, id int64) (exists, active bool, err error) {
	err = q.QueryRowContext(ctx, query, id).Scan(&active)
	if err == sql.ErrNoRows {
		return false, false, nil
	}
	return err == nil, active, err
}

// batchRefs is the areas, units and a plan's goals read once, for checking
// many rows.
type batchRefs struct {
	goals        map[int64]Goal
	areas, units map[int64]bool // id → active
}

func loadRefs(ctx context.Context, q db.Querier, goals map[string]Goal) (batchRefs, error) {
	r := batchRefs{goals: map[int64]Goal{}, areas: map[int64]bool{}, units: map[int64]bool{}}
	for _, g := range goals {
		r.goals[g.ID] = g
	}
	for table, m := range map[string]map[int64]bool{"areas": r.areas, "units": r.units} {
		err := eachRow(ctx, q, func(row db.Scanner) error {
			var id int64
			var active bool
			err := row.Scan(&id, &active)
			m[id] = active
			return err
		}, `SELECT id, active FROM `+table)
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

func (r batchRefs) goal(_ context.Context, id int64) (Goal, error) {
	g, ok := r.goals[id]
	if !ok {
		return g, errs.New(errs.NotFound, "error.not_found", "goal")
	}
	return g, nil
}

func (r batchRefs) area(_ context.Context, id int64) (bool, bool, error) {
	active, ok := r.areas[id]
	return ok, active, nil
}

func (r batchRefs) unit(_ context.Context, id int64) (bool, bool, error) {
	active, ok := r.units[id]
	return ok, active, nil
}

// SaveGoal adds a goal to a plan (id 0) or replaces one if version is current.
func (s *Service) SaveGoal(ctx context.Context, planID, id int64, in GoalInput, version int) (Goal, error) {
	if err := access.FromContext(ctx).Check(access.EditPlans, 0); err != nil {
		return Goal{}, err
	}
	var g Goal
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		g, err = s.saveGoal(ctx, tx, planID, id, in, version)
		return err
	})
	return g, err
}

func (s *Service) saveGoal(ctx context.Context, tx *sql.Tx, planID, id int64, in GoalInput, version int) (Goal, error) {
	p, err := s.lockPlan(ctx, tx, planID)
	if err != nil {
		return Goal{}, err
	}
	if p.Status == Done {
		return Goal{}, errs.New(errs.Conflict, "error.plan.closed")
	}
	if err := in.validate(ctx, tx); err != nil {
		return Goal{}, err
	}
	now := s.now()
	var before any
	if id == 0 {
		err = tx.QueryRowContext(ctx, `INSERT INTO goals (plan_id, code, title, area_id, position, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$6) RETURNING id`,
			planID, in.Code, in.Title, in.AreaID, in.Position, now).Scan(&id)
		if err != nil {
			return Goal{}, errs.Unique(err, "code")
		}
	} else {
		old, err := getGoal(ctx, tx, id)
		if err != nil || old.PlanID != planID {
			return Goal{}, errs.NotFoundIf(sql.ErrNoRows, "goal")
		}
		before = old
		res, err := tx.ExecContext(ctx, `UPDATE goals SET code=$1, title=$2, area_id=$3, position=$4, updated_at=$5, version=version+1 WHERE id=$6 AND version=$7`,
			in.Code, in.Title, in.AreaID, in.Position, now, id, version)
		if err != nil {
			return Goal{}, errs.Unique(err, "code")
		}
		if err := staleIfNone(res, func() (any, error) { return getGoal(ctx, tx, id) }); err != nil {
			return Goal{}, err
		}
	}
	g, err := getGoal(ctx, tx, id)
	if err != nil {
		return Goal{}, err
	}
	action := "goal.create"
	if before != nil {
		action = "goal.update"
	}
	return g, audit.Record(ctx, tx, audit.Change{Action: action, ObjectType: "goal", ObjectID: id, Before: before, After: g})
}

// staleIfNone turns an UPDATE that matched no row into a stale-version
// conflict carrying the current row.
func staleIfNone(res sql.Result, current func() (any, error)) error {
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	cur, err := current()
	if err != nil {
		return err
	}
	return errs.StaleVersion(cur)
}
