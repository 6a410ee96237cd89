package plans

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"reflect"
	"slices"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
)

// ImportRow is one task of a batch import (a plan workbook), with the row
// it came from so that errors can point at it.
type ImportRow struct {
	Row  int
	Goal GoalInput // the task's goal, matched by code: created if new, updated if changed
	Task TaskInput
}

// RowResult says what an import does to one row's task.
type RowResult struct {
	Row     int      `json:"row"`
	Code    string   `json:"code"`
	Action  string   `json:"action"` // create, update or unchanged
	Changes []Change `json:"changes"`
}

// RowError is why one row cannot be imported.
type RowError struct {
	Row int         `json:"row"`
	Err *errs.Error `json:"error"`
}

// ImportResult is what an import did, or in a dry run would do.
type ImportResult struct {
	Rows      []RowResult `json:"rows"`
	Errors    []RowError  `json:"errors"`
	Committed bool        `json:"committed"`
}

var errDryRun = errors.New("dry run")

// ImportTasks creates or updates plan planID's goals and tasks by code from
// rows, all in one transaction: every row is checked and every error kept;
// unless commit is set and no row failed, the transaction is rolled back,
// so a dry run shows exactly what the commit would do and writes nothing.
// A plan in force records the whole import as one revision under note.
func (s *Service) ImportTasks(ctx context.Context, planID int64, rows []ImportRow, note RevisionNote, commit bool) (ImportResult, error) {
	if err := access.FromContext(ctx).Check(access.EditPlans, 0); err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res = ImportResult{}
		p, err := s.lockPlan(ctx, tx, planID)
		if err != nil {
			return err
		}
		if p.Status == InForce {
			var v errs.Validation
			note.validate(&v)
			if err := v.Err(); err != nil {
				return err
			}
		}
		set, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		goals, err := goalsByCode(ctx, tx, planID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			r.Task.Revision = note
			result, err := s.importRow(ctx, tx, p, goals, r, set)
			var e *errs.Error
			if errors.As(err, &e) {
				res.Errors = append(res.Errors, RowError{r.Row, e})
				continue
			}
			if err != nil {
				return err
			}
			res.Rows = append(res.Rows, result)
		}
		if len(res.Errors) > 0 || !commit {
			return errDryRun
		}
		if err := s.revise(ctx, tx, planID, note, false); err != nil {
			return err
		}
		res.Committed = true
		return audit.Record(ctx, tx, audit.Change{Action: "plan.import", ObjectType: "plan", ObjectID: planID, After: res.Rows})
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return res, err
}

func goalsByCode(ctx context.Context, tx *sql.Tx, planID int64) (map[string]Goal, error) {
	gs, err := scanGoals(ctx, tx, planID)
	m := map[string]Goal{}
	for _, g := range gs {
		m[g.Code] = g
	}
	return m, err
}

func scanGoals(ctx context.Context, tx *sql.Tx, planID int64) ([]Goal, error) {
	var out []Goal
	err := eachRow(ctx, tx, func(row db.Scanner) error {
		g, err := scanGoal(row)
		out = append(out, g)
		return err
	}, `SELECT `+goalColumns+` FROM goals WHERE plan_id = $1`, planID)
	return out, err
}

// importRow applies one row inside a savepoint, so that a row the store
// refuses leaves the transaction usable for the rows after it.
func (s *Service) importRow(ctx context.Context, tx *sql.Tx, p Plan, goals map[string]Goal, r ImportRow, set Settings) (RowResult, error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT import_row`); err != nil {
		return RowResult{}, err
	}
	result, err := s.applyRow(ctx, tx, p, goals, r, set)
	if err != nil {
		if _, rbErr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT import_row`); rbErr != nil {
			return result, rbErr
		}
		// A goal the row made or changed is gone with it.
		fresh, rbErr := goalsByCode(ctx, tx, p.ID)
		if rbErr != nil {
			return result, rbErr
		}
		clear(goals)
		maps.Copy(goals, fresh)
		return result, err
	}
	_, err = tx.ExecContext(ctx, `RELEASE SAVEPOINT import_row`)
	return result, err
}

func (s *Service) applyRow(ctx context.Context, tx *sql.Tx, p Plan, goals map[string]Goal, r ImportRow, set Settings) (RowResult, error) {
	res := RowResult{Row: r.Row, Code: r.Task.Code}
	g, ok := goals[r.Goal.Code]
	if !ok || g.Title != r.Goal.Title || g.AreaID != r.Goal.AreaID {
		in := r.Goal
		in.Position = g.Position
		if !ok {
			in.Position = len(goals)
		}
		saved, err := s.saveGoal(ctx, tx, p.ID, g.ID, in, g.Version)
		if err != nil {
			return res, prefixFields(err, "goal.")
		}
		goals[saved.Code] = saved
		g = saved
	}
	in := r.Task
	in.GoalID = g.ID
	in.normalize()
	cur, err := scanTask(tx.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks t WHERE t.plan_id = $1 AND t.code = $2`, p.ID, in.Code))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res.Action = "create"
		_, err = s.writeTask(ctx, tx, p, 0, in, 0, set)
		res.Changes = []Change{{Kind: TaskAdded, Code: in.Code, Title: in.Title}}
		return res, err
	case err != nil:
		return res, err
	}
	before, err := inputOf(ctx, tx, cur)
	if err != nil {
		return res, err
	}
	before.Revision = in.Revision
	if reflect.DeepEqual(before, in) {
		res.Action = "unchanged"
		return res, nil
	}
	old, err := snapshot(ctx, tx, s.DB.Engine, p.ID)
	if err != nil {
		return res, err
	}
	res.Action = "update"
	if _, err := s.writeTask(ctx, tx, p, cur.ID, in, cur.Version, set); err != nil {
		return res, err
	}
	now, err := snapshot(ctx, tx, s.DB.Engine, p.ID)
	if err != nil {
		return res, err
	}
	res.Changes = diff(map[string]taskSnap{in.Code: old[cur.Code]}, map[string]taskSnap{in.Code: now[in.Code]})
	return res, nil
}

// inputOf is the input that would write task t as it stands, to tell an
// unchanged row from a changed one.
func inputOf(ctx context.Context, tx *sql.Tx, t Task) (TaskInput, error) {
	in := TaskInput{GoalID: t.GoalID, Code: t.Code, Title: t.Title, Description: t.Description, AreaID: t.AreaID, LeadUnitID: t.LeadUnitID,
		StartsOn: t.StartsOn, DueOn: t.DueOn, Deliverables: t.Deliverables, Target: t.Target, Indicator: t.Indicator,
		IndicatorUnit: t.IndicatorUnit, TargetValue: t.TargetValue, Weight: t.Weight, Cycle: t.Cycle, ReportDates: t.ReportDates}
	as, err := assignments(ctx, tx, t.ID)
	if err != nil {
		return in, err
	}
	for _, a := range as {
		if a.Active && a.Role == Co {
			in.CoUnitIDs = append(in.CoUnitIDs, a.UnitID)
		}
	}
	ms, err := milestones(ctx, tx, t.ID)
	for _, m := range ms {
		in.Milestones = append(in.Milestones, MilestoneInput{Title: m.Title, DueOn: m.DueOn, DoneOn: m.DoneOn})
	}
	return in, err
}

// prefixFields renames a validation error's fields, so a goal's "title"
// reads "goal.title" beside the task's own.
func prefixFields(err error, prefix string) error {
	e, ok := errs.As(err)
	if !ok {
		return err
	}
	c := *e
	c.Fields = slices.Clone(e.Fields)
	for i := range c.Fields {
		c.Fields[i].Field = prefix + c.Fields[i].Field
	}
	return &c
}

// ReportImport is one report of a batch filled offline: which report, the
// version the unit downloaded, what it wrote, and whether to submit it.
type ReportImport struct {
	Row     int
	ID      int64
	Version int
	Input   ReportInput
	Submit  bool
}

// ImportReports saves or submits a batch of reports in one transaction,
// all or nothing, like ImportTasks: a report changed since it was
// downloaded is a conflict on its row, never overwritten.
func (s *Service) ImportReports(ctx context.Context, rows []ReportImport, commit bool) (ImportResult, error) {
	var res ImportResult
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res = ImportResult{}
		for _, r := range rows {
			step, apply := stepSave, s.saveDraft(ctx, r.Input)
			action := "save"
			if r.Submit {
				step, apply, action = stepSubmit, s.submit(ctx, r.Input), "submit"
			}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT import_row`); err != nil {
				return err
			}
			_, err := s.moveReportTx(ctx, tx, r.ID, r.Version, step, apply)
			var e *errs.Error
			if errors.As(err, &e) {
				res.Errors = append(res.Errors, RowError{r.Row, e})
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT import_row`); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT import_row`); err != nil {
				return err
			}
			res.Rows = append(res.Rows, RowResult{Row: r.Row, Code: itoa(int(r.ID)), Action: action})
		}
		if len(res.Errors) > 0 || !commit {
			return errDryRun
		}
		res.Committed = true
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return res, err
}
