package plans

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
)

// Role is a unit's part in a task.
type Role string

const (
	Lead Role = "lead"
	Co   Role = "co"
)

// Assignment is one unit's share of a task: its own responsible person,
// deadline and progress reports.
type Assignment struct {
	ID                int64      `json:"id"`
	TaskID            int64      `json:"task_id"`
	UnitID            int64      `json:"unit_id"`
	Role              Role       `json:"role"`
	ResponsibleUserID *int64     `json:"responsible_user_id"`
	ResponsibleName   string     `json:"responsible_name"`
	DueOn             clock.Date `json:"due_on"`
	Progress          float64    `json:"progress"`
	Active            bool       `json:"active"`
	Version           int        `json:"version"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

// AssignmentInput is what the office or the unit's leader sets.
type AssignmentInput struct {
	ResponsibleUserID *int64     `json:"responsible_user_id"`
	ResponsibleName   string     `json:"responsible_name"`
	DueOn             clock.Date `json:"due_on"`
}

const assignmentColumns = `id, task_id, unit_id, role, responsible_user_id, responsible_name, due_on, progress, active, version, updated_at`

func scanAssignment(row db.Scanner) (Assignment, error) {
	var a Assignment
	err := row.Scan(&a.ID, &a.TaskID, &a.UnitID, &a.Role, &a.ResponsibleUserID, &a.ResponsibleName, &a.DueOn, &a.Progress, &a.Active, &a.Version, &a.UpdatedAt)
	a.UpdatedAt = a.UpdatedAt.UTC()
	return a, err
}

func getAssignment(ctx context.Context, q db.Querier, id int64) (Assignment, error) {
	a, err := scanAssignment(q.QueryRowContext(ctx, `SELECT `+assignmentColumns+` FROM assignments WHERE id = $1`, id))
	return a, errs.NotFoundIf(err, "assignment")
}

// Assignment returns one assignment.
func (s *Service) Assignment(ctx context.Context, id int64) (Assignment, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return Assignment{}, err
	}
	return getAssignment(ctx, s.DB.R, id)
}

// Assignments lists a task's assignments, the lead first, retired ones last.
func (s *Service) Assignments(ctx context.Context, taskID int64) ([]Assignment, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, err
	}
	return assignments(ctx, s.DB.R, taskID)
}

func assignments(ctx context.Context, q db.Querier, taskID int64) ([]Assignment, error) {
	return db.All(ctx, q, scanAssignment, `SELECT `+assignmentColumns+` FROM assignments WHERE task_id = $1
		ORDER BY active DESC, CASE role WHEN 'lead' THEN 0 ELSE 1 END, id`, taskID)
}

// syncAssignments gives task t one active assignment per participating
// unit. A unit that leaves keeps its row (and reports) inactive; a deadline
// that followed the task's follows it again.
func (s *Service) syncAssignments(ctx context.Context, tx *sql.Tx, t Task, before *Task, co []int64, set Settings) error {
	want := map[int64]Role{t.LeadUnitID: Lead}
	for _, u := range co {
		want[u] = Co
	}
	have, err := assignments(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	now := s.now()
	for _, a := range have {
		role, keep := want[a.UnitID]
		due := a.DueOn
		if before != nil && a.DueOn == before.DueOn || due.After(t.DueOn) {
			due = t.DueOn
		}
		if keep != a.Active || keep && (role != a.Role || due != a.DueOn) {
			if !keep {
				role = a.Role
			}
			if _, err := tx.ExecContext(ctx, `UPDATE assignments SET role=$1, active=$2, due_on=$3, updated_at=$4, version=version+1 WHERE id=$5`,
				role, keep, due, now, a.ID); err != nil {
				return err
			}
			if !keep {
				// A unit that leaves is no longer asked: its untouched rows go.
				if _, err := tx.ExecContext(ctx, `DELETE FROM reports WHERE assignment_id = $1 AND state = 'pending'`, a.ID); err != nil {
					return err
				}
			}
		}
		delete(want, a.UnitID)
	}
	for unit, role := range want {
		// The assignment carries its task's light (kept in step by a trigger on tasks).
		if _, err := tx.ExecContext(ctx, `INSERT INTO assignments (task_id, unit_id, role, due_on, created_at, updated_at, light)
			SELECT $1,$2,$3,$4,$5,$5, light FROM tasks WHERE id = $1`, t.ID, unit, role, t.DueOn, now); err != nil {
			return err
		}
	}
	return s.openPeriods(ctx, tx, t, s.today(), set)
}

// UpdateAssignment sets a unit's responsible person and deadline.
func (s *Service) UpdateAssignment(ctx context.Context, id int64, in AssignmentInput, version int) (Assignment, error) {
	var after Assignment
	err := s.tx(ctx, func(tx *sql.Tx) error {
		before, err := getAssignment(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := access.FromContext(ctx).Check(access.EditAssignment, before.UnitID); err != nil {
			return err
		}
		t, err := getTask(ctx, tx, before.TaskID)
		if err != nil {
			return err
		}
		var v errs.Validation
		v.Text("responsible_name", in.ResponsibleName, false, 100)
		if in.DueOn.IsZero() {
			in.DueOn = t.DueOn
		} else if in.DueOn.Before(t.StartsOn) || in.DueOn.After(t.DueOn) {
			v.Add("due_on", "error.plan.outside_task", in.DueOn.String())
		}
		if in.ResponsibleUserID != nil {
			var unit int64
			err := tx.QueryRowContext(ctx, `SELECT unit_id FROM users WHERE id = $1 AND NOT disabled`, *in.ResponsibleUserID).Scan(&unit)
			if err == sql.ErrNoRows || err == nil && unit != before.UnitID {
				v.Add("responsible_user_id", "error.plan.responsible_unit")
			} else if err != nil {
				return err
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE assignments SET responsible_user_id=$1, responsible_name=$2, due_on=$3, updated_at=$4, version=version+1 WHERE id=$5 AND version=$6`,
			in.ResponsibleUserID, strings.TrimSpace(in.ResponsibleName), in.DueOn, s.now(), id, version)
		if err != nil {
			return err
		}
		if err := staleIfNone(res, func() (any, error) { return getAssignment(ctx, tx, id) }); err != nil {
			return err
		}
		if after, err = getAssignment(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "assignment.update", ObjectType: "assignment", ObjectID: id, Before: before, After: after})
	})
	return after, err
}

// Period is one reporting period of a task.
type Period struct{ Start, End clock.Date }

// Periods divides a task's span into reporting periods: calendar months or
// quarters, or the spans ending on each custom report date; the last ends on
// the due date.
func Periods(start, due clock.Date, cycle Cycle, dates []clock.Date) []Period {
	var ends []clock.Date
	switch cycle {
	case Custom:
		for _, d := range dates {
			if !d.Before(start) && d.Before(due) {
				ends = append(ends, d)
			}
		}
	default:
		months := 1
		if cycle == Quarterly {
			months = 3
		}
		for d := start; d.Before(due); {
			t := d.Time()
			m := (int(t.Month())-1)/months*months + months // last month of d's month or quarter
			end := clock.DateOf(t.Year(), time.Month(m)+1, 0)
			if !end.Before(due) {
				break
			}
			ends = append(ends, end)
			d = end.AddDays(1)
		}
	}
	ends = append(ends, due)
	out := make([]Period, 0, len(ends))
	from := start
	for _, e := range ends {
		out = append(out, Period{from, e})
		from = e.AddDays(1)
	}
	return out
}

// openPeriods makes sure each active assignment of t has a report row for
// every period that has begun by today, and drops untouched rows of periods
// that no longer exist. Rows are made as periods begin (the daily job opens
// the rest), so a plan of many years does not fill the store with years of
// empty forms.
func (s *Service) openPeriods(ctx context.Context, tx *sql.Tx, t Task, today clock.Date, set Settings) error {
	if t.Status != TaskActive {
		return nil
	}
	ps := Periods(t.StartsOn, t.DueOn, t.Cycle, t.ReportDates)
	as, err := assignments(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	var rows [][]any
	now := s.now()
	for _, a := range as {
		if !a.Active {
			continue
		}
		have := map[clock.Date]clock.Date{} // period end → start, of the rows that exist
		err := eachRow(ctx, tx, func(row db.Scanner) error {
			var start, end clock.Date
			err := row.Scan(&start, &end)
			have[end] = start
			return err
		}, `SELECT period_start, period_end FROM reports WHERE assignment_id = $1`, a.ID)
		if err != nil {
			return err
		}
		wanted := map[clock.Date]bool{}
		for _, p := range ps {
			wanted[p.End] = true
			start, ok := have[p.End]
			switch {
			case !ok && !p.Start.After(today):
				rows = append(rows, []any{a.ID, t.ID, a.UnitID, p.Start, p.End, p.End.AddDays(set.ReportGraceDays), now})
			case ok && start != p.Start:
				if _, err := tx.ExecContext(ctx, `UPDATE reports SET period_start=$1 WHERE assignment_id=$2 AND period_end=$3`, p.Start, a.ID, p.End); err != nil {
					return err
				}
			}
		}
		for end := range have {
			if !wanted[end] {
				if _, err := tx.ExecContext(ctx, `DELETE FROM reports WHERE assignment_id=$1 AND period_end=$2 AND state='pending'`, a.ID, end); err != nil {
					return err
				}
			}
		}
	}
	return db.InsertRows(ctx, tx, `INSERT INTO reports (assignment_id, task_id, unit_id, period_start, period_end, due_on, created_at, updated_at, state) VALUES `,
		"($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%[7]d,'pending')", rows)
}

// refresh rolls a task's progress up from its assignments and gives it its
// light for today. The rule: an assignment's progress is the percent of its
// latest report that has been submitted and not returned; the task's is the
// lead's, or with co-operating units LeadWeight × lead + (1 − LeadWeight) ×
// their mean.
func (s *Service) refresh(ctx context.Context, tx *sql.Tx, taskID int64, set Settings) error {
	_, err := tx.ExecContext(ctx, `UPDATE assignments SET progress = COALESCE((SELECT r.percent FROM reports r
			WHERE r.assignment_id = assignments.id AND r.state IN ('submitted','approved','accepted') AND r.percent IS NOT NULL
			ORDER BY r.period_end DESC LIMIT 1), 0)
		WHERE task_id = $1 AND active`, taskID)
	if err != nil {
		return err
	}
	as, err := assignments(ctx, tx, taskID)
	if err != nil {
		return err
	}
	t, err := getTask(ctx, tx, taskID)
	if err != nil {
		return err
	}
	progress := rollup(as, set.LeadWeight)
	if t.Status == TaskClosed {
		progress = 100
	}
	v := judge(lightFacts{t.Status, t.StartsOn, t.DueOn, t.CompletedOn, progress}, s.today(), set)
	_, err = tx.ExecContext(ctx, `UPDATE tasks SET progress=$1, light=$2, light_on=$3 WHERE id=$4`, progress, v.Light, s.today(), taskID)
	return err
}

// rollup is a task's progress from its active assignments' progress.
func rollup(as []Assignment, leadWeight float64) float64 {
	var lead, coSum float64
	var co int
	for _, a := range as {
		switch {
		case !a.Active:
		case a.Role == Lead:
			lead = a.Progress
		default:
			coSum += a.Progress
			co++
		}
	}
	if co == 0 {
		return lead
	}
	return leadWeight*lead + (1-leadWeight)*coSum/float64(co)
}

// Verdict explains task t's light as of today.
func (s *Service) Verdict(ctx context.Context, t Task) (Verdict, error) {
	set, err := loadSettings(ctx, s.DB.R)
	if err != nil {
		return Verdict{}, err
	}
	return Judge(t, s.today(), set), nil
}

// Judge is task t's light on day today under set: the rule of judge, for
// callers (such as a data generator) that hold the settings already.
func Judge(t Task, today clock.Date, set Settings) Verdict {
	return judge(lightFacts{t.Status, t.StartsOn, t.DueOn, t.CompletedOn, t.Progress}, today, set)
}
