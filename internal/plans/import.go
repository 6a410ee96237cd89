package plans

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/clock"
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
	err := s.tx(ctx, func(tx *sql.Tx) error {
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
		existing := map[string]bool{}
		err = eachRow(ctx, tx, func(row db.Scanner) error {
			var code string
			err := row.Scan(&code)
			existing[code] = true
			return err
		}, `SELECT code FROM tasks WHERE plan_id = $1`, planID)
		if err != nil {
			return err
		}
		// Changes to existing tasks go one by one, each diffed; new tasks
		// are written together, a few statements per batch of rows.
		var creates []ImportRow
		for _, r := range rows {
			r.Task.Revision = note
			if !existing[r.Task.Code] {
				g, err := s.ensureGoal(ctx, tx, p, goals, r.Goal)
				var e *errs.Error
				if errors.As(err, &e) {
					res.Errors = append(res.Errors, RowError{r.Row, e})
					continue
				}
				if err != nil {
					return err
				}
				r.Task.GoalID = g.ID
				creates = append(creates, r)
				continue
			}
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
		created, failed, err := s.createTasks(ctx, tx, p, creates, goals, set)
		if err != nil {
			return err
		}
		res.Rows, res.Errors = append(res.Rows, created...), append(res.Errors, failed...)
		slices.SortFunc(res.Rows, func(a, b RowResult) int { return a.Row - b.Row })
		slices.SortFunc(res.Errors, func(a, b RowError) int { return a.Row - b.Row })
		if len(res.Errors) > 0 || !commit {
			return errDryRun
		}
		var changes []Change
		for _, r := range res.Rows {
			changes = append(changes, r.Changes...)
		}
		if err := s.revise(ctx, tx, planID, note, changes); err != nil {
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

// ensureGoal returns the goal of code in, made or changed to match in.
func (s *Service) ensureGoal(ctx context.Context, tx *sql.Tx, p Plan, goals map[string]Goal, in GoalInput) (Goal, error) {
	g, ok := goals[in.Code]
	if ok && g.Title == in.Title && g.AreaID == in.AreaID {
		return g, nil
	}
	in.Position = g.Position
	if !ok {
		in.Position = len(goals)
	}
	saved, err := s.saveGoal(ctx, tx, p.ID, g.ID, in, g.Version)
	if err != nil {
		return Goal{}, prefixFields(err, "goal.")
	}
	goals[saved.Code] = saved
	return saved, nil
}

func (s *Service) applyRow(ctx context.Context, tx *sql.Tx, p Plan, goals map[string]Goal, r ImportRow, set Settings) (RowResult, error) {
	res := RowResult{Row: r.Row, Code: r.Task.Code}
	g, err := s.ensureGoal(ctx, tx, p, goals, r.Goal)
	if err != nil {
		return res, err
	}
	in := r.Task
	in.GoalID = g.ID
	in.normalize()
	cur, err := scanTask(tx.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks t WHERE t.plan_id = $1 AND t.code = $2`, p.ID, in.Code))
	switch {
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
	res.Action = "update"
	res.Changes, err = s.taskChanges(ctx, tx, p.ID, cur.ID, func() (int64, error) {
		_, err := s.writeTask(ctx, tx, p, cur.ID, in, cur.Version, set)
		return cur.ID, err
	})
	return res, err
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
	err := s.tx(ctx, func(tx *sql.Tx) error {
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

// createTasks writes new tasks in batches: the same rows, periods, search
// text, timeline and audit entries as writeTask makes one by one, in a
// handful of statements per few hundred tasks. Rows that fail validation
// are returned as errors and written not at all.
func (s *Service) createTasks(ctx context.Context, tx *sql.Tx, p Plan, rows []ImportRow, goals map[string]Goal, set Settings) ([]RowResult, []RowError, error) {
	if len(rows) == 0 {
		return nil, nil, nil
	}
	refs, err := loadRefs(ctx, tx, goals)
	if err != nil {
		return nil, nil, err
	}
	var failed []RowError
	var valid []ImportRow
	for _, r := range rows {
		r.Task.normalize()
		err := r.Task.validate(ctx, refs, p)
		var e *errs.Error
		switch {
		case errors.As(err, &e):
			failed = append(failed, RowError{r.Row, e})
		case err != nil:
			return nil, nil, err
		default:
			valid = append(valid, r)
		}
	}
	now, today := s.now(), s.today()
	var taskRows [][]any
	lights := map[string]Light{} // by code, for the assignments too
	for _, r := range valid {
		in := r.Task
		light := judge(lightFacts{Status: TaskActive, StartsOn: in.StartsOn, DueOn: in.DueOn}, today, set).Light
		lights[in.Code] = light
		taskRows = append(taskRows, []any{p.ID, in.GoalID, in.Code, in.Title, in.Description, in.AreaID, in.LeadUnitID, in.StartsOn, in.DueOn,
			in.Deliverables, in.Target, in.Indicator, in.IndicatorUnit, in.TargetValue, in.Weight, in.Cycle, joinDates(in.ReportDates), light, today, now})
	}
	err = db.InsertRows(ctx, tx, `INSERT INTO tasks (plan_id, goal_id, code, title, description, area_id, lead_unit_id, starts_on, due_on, deliverables,
		target, indicator, indicator_unit, target_value, weight, cycle, report_dates, light, light_on, created_at, updated_at, status) VALUES `,
		"($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%[20]d,'active')", taskRows)
	if err != nil {
		return nil, nil, err
	}
	ids := map[string]int64{}
	err = eachRow(ctx, tx, func(row db.Scanner) error {
		var id int64
		var code string
		err := row.Scan(&id, &code)
		ids[code] = id
		return err
	}, `SELECT id, code FROM tasks WHERE plan_id = $1`, p.ID)
	if err != nil {
		return nil, nil, err
	}
	var assignRows, milestoneRows, searchRows, eventRows [][]any
	var changes []Change
	var created []RowResult
	for _, r := range valid {
		in, id := r.Task, ids[r.Task.Code]
		assignRows = append(assignRows, []any{id, in.LeadUnitID, Lead, in.DueOn, now, lights[in.Code]})
		for _, u := range in.CoUnitIDs {
			assignRows = append(assignRows, []any{id, u, Co, in.DueOn, now, lights[in.Code]})
		}
		for i, m := range in.Milestones {
			milestoneRows = append(milestoneRows, []any{id, m.Title, m.DueOn, m.DoneOn, i, now})
		}
		searchRows = append(searchRows, []any{"task", id, id, strings.Join([]string{in.Title, in.Description, in.Deliverables, in.Target}, "\n")})
		eventRows = append(eventRows, []any{id, now, access.FromContext(ctx).LoginOrSystem(), "created", in.Revision.Reason})
		changes = append(changes, Change{Kind: TaskAdded, Code: in.Code, Title: in.Title})
		created = append(created, RowResult{Row: r.Row, Code: in.Code, Action: "create", Changes: changes[len(changes)-1:]})
	}
	for _, batch := range []struct {
		head, tuple string
		rows        [][]any
	}{
		{`INSERT INTO assignments (task_id, unit_id, role, due_on, created_at, light, updated_at) VALUES `, "($%d,$%d,$%d,$%d,$%d,$%d,$%[5]d)", assignRows},
		{`INSERT INTO milestones (task_id, title, due_on, done_on, position, created_at, updated_at) VALUES `, "($%d,$%d,$%d,$%d,$%d,$%d,$%[6]d)", milestoneRows},
		{`INSERT INTO search_docs (kind, ref_id, task_id, body) VALUES `, "($%d,$%d,$%d,$%d)", searchRows},
		{`INSERT INTO task_events (task_id, at, actor, kind, note) VALUES `, "($%d,$%d,$%d,$%d,$%d)", eventRows},
	} {
		if err := db.InsertRows(ctx, tx, batch.head, batch.tuple, batch.rows); err != nil {
			return nil, nil, err
		}
	}
	if err := s.openPlanPeriods(ctx, tx, p.ID, valid, ids, today, set); err != nil {
		return nil, nil, err
	}
	records := make([]audit.Change, len(valid))
	for i, r := range valid {
		records[i] = audit.Change{Action: "task.create", ObjectType: "task", ObjectID: ids[r.Task.Code], After: r.Task, Detail: "import"}
	}
	return created, failed, audit.RecordAll(ctx, tx, records)
}

// openPlanPeriods opens the begun reporting periods of the new tasks' units
// (see openPeriods), in batches.
func (s *Service) openPlanPeriods(ctx context.Context, tx *sql.Tx, planID int64, valid []ImportRow, ids map[string]int64, today clock.Date, set Settings) error {
	units := map[int64][][2]int64{} // task → (assignment, unit)
	err := eachRow(ctx, tx, func(row db.Scanner) error {
		var a, t, u int64
		err := row.Scan(&a, &t, &u)
		units[t] = append(units[t], [2]int64{a, u})
		return err
	}, `SELECT a.id, a.task_id, a.unit_id FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE t.plan_id = $1`, planID)
	if err != nil {
		return err
	}
	now := s.now()
	var rows [][]any
	for _, r := range valid {
		in, id := r.Task, ids[r.Task.Code]
		for _, per := range Periods(in.StartsOn, in.DueOn, in.Cycle, in.ReportDates) {
			if per.Start.After(today) {
				break
			}
			for _, au := range units[id] {
				rows = append(rows, []any{au[0], id, au[1], per.Start, per.End, per.End.AddDays(set.ReportGraceDays), now})
			}
		}
	}
	return db.InsertRows(ctx, tx, `INSERT INTO reports (assignment_id, task_id, unit_id, period_start, period_end, due_on, created_at, updated_at, state) VALUES `,
		"($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%[7]d,'pending')", rows)
}
