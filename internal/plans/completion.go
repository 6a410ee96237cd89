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

// Completion is a lead unit's completion report (办结报告) and the office's
// verdict on it.
type Completion struct {
	ID            int64      `json:"id"`
	TaskID        int64      `json:"task_id"`
	Summary       string     `json:"summary"`
	FiledAt       time.Time  `json:"filed_at"`
	FiledBy       string     `json:"filed_by"`
	Verdict       string     `json:"verdict"` // "", closed or reopened
	VerdictReason string     `json:"verdict_reason"`
	VerdictAt     *time.Time `json:"verdict_at"`
	VerdictBy     string     `json:"verdict_by"`
}

// Completions lists a task's completion reports, newest first.
func (s *Service) Completions(ctx context.Context, taskID int64) ([]Completion, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, err
	}
	return completions(ctx, s.DB.R, taskID)
}

func completions(ctx context.Context, q db.Querier, taskID int64) ([]Completion, error) {
	return db.All(ctx, q, func(row db.Scanner) (Completion, error) {
		var c Completion
		var at sql.NullTime
		err := row.Scan(&c.ID, &c.TaskID, &c.Summary, &c.FiledAt, &c.FiledBy, &c.Verdict, &c.VerdictReason, &at, &c.VerdictBy)
		c.FiledAt, c.VerdictAt = c.FiledAt.UTC(), timePtr(at)
		return c, err
	}, `SELECT id, task_id, summary, filed_at, filed_by, verdict, verdict_reason, verdict_at, verdict_by FROM completions WHERE task_id = $1 ORDER BY id DESC`, taskID)
}

// taskStep is one move of a task through completion and closure.
type taskStep struct {
	action access.Action
	from   []Status
	to     Status
	event  string
}

var (
	stepFile   = taskStep{access.CompleteTask, []Status{TaskActive}, TaskFiled, "task.completion_filed"}
	stepClose  = taskStep{access.CloseTask, []Status{TaskFiled}, TaskClosed, "task.closed"}
	stepReopen = taskStep{access.CloseTask, []Status{TaskFiled, TaskClosed}, TaskActive, "task.reopened"}
	stepCancel = taskStep{access.CloseTask, []Status{TaskActive, TaskFiled}, TaskCancelled, "task.cancelled"}
	stepMerge  = taskStep{access.CloseTask, []Status{TaskActive, TaskFiled}, TaskMerged, "task.merged"}
)

// FileCompletion records the lead unit's completion report; the task counts
// as done on time or late from today, pending the office's verification.
// Evidence files given are stored with it, in the same transaction.
func (s *Service) FileCompletion(ctx context.Context, taskID int64, summary string, version int, evidence ...File) (Task, Completion, error) {
	var c Completion
	t, err := s.moveTask(ctx, taskID, version, stepFile, "", func(tx *sql.Tx, t Task) error {
		var v errs.Validation
		v.Text("summary", summary, true, 8000)
		if err := v.Err(); err != nil {
			return err
		}
		now := s.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO completions (task_id, summary, filed_at, filed_by) VALUES ($1,$2,$3,$4) RETURNING id`,
			taskID, strings.TrimSpace(summary), now, access.FromContext(ctx).LoginOrSystem()).Scan(&c.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET completed_on=$1 WHERE id=$2`, clock.DayOf(now), taskID); err != nil {
			return err
		}
		if err := s.attachAll(ctx, tx, "completion", c.ID, evidence); err != nil {
			return err
		}
		cs, err := completions(ctx, tx, taskID)
		c = cs[0]
		return err
	})
	return t, c, err
}

// CloseTask is the office's verification and closure (销号) of a filed task.
func (s *Service) CloseTask(ctx context.Context, taskID int64, version int) (Task, error) {
	return s.moveTask(ctx, taskID, version, stepClose, "", func(tx *sql.Tx, t Task) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET closed_at=$1, closed_month=$2 WHERE id=$3`, now, clock.DayOf(now).Month(), taskID); err != nil {
			return err
		}
		return verdict(ctx, tx, taskID, "closed", "", now)
	})
}

// ReopenTask sends a filed or closed task back to work, with a reason.
func (s *Service) ReopenTask(ctx context.Context, taskID int64, reason string, version int) (Task, error) {
	return s.moveTask(ctx, taskID, version, stepReopen, reason, func(tx *sql.Tx, t Task) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET completed_on=NULL, closed_at=NULL, closed_month='' WHERE id=$1`, taskID); err != nil {
			return err
		}
		return verdict(ctx, tx, taskID, "reopened", reason, now)
	})
}

// CancelTask stops a task for good, with a reason.
func (s *Service) CancelTask(ctx context.Context, taskID int64, reason string, version int) (Task, error) {
	return s.moveTask(ctx, taskID, version, stepCancel, reason, nil)
}

// MergeTask folds a task into another task of the same plan, with a reason.
func (s *Service) MergeTask(ctx context.Context, taskID, intoID int64, reason string, version int) (Task, error) {
	return s.moveTask(ctx, taskID, version, stepMerge, reason, func(tx *sql.Tx, t Task) error {
		into, err := getTask(ctx, tx, intoID)
		if errs.Is(err, errs.NotFound) || err == nil && (into.PlanID != t.PlanID || into.ID == t.ID || into.Status == TaskMerged || into.Status == TaskCancelled) {
			var v errs.Validation
			v.Add("into", "error.task.merge_target")
			return v.Err()
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE tasks SET merged_into_id=$1 WHERE id=$2`, intoID, taskID)
		return err
	})
}

// reperiod follows a task's move with its report rows: a task that is over
// no longer waits for reports (its untouched rows go, so they are not
// counted missing); a reopened one is asked for them again.
func (s *Service) reperiod(ctx context.Context, tx *sql.Tx, id int64, to Status) error {
	switch to {
	case TaskClosed, TaskCancelled, TaskMerged:
		_, err := tx.ExecContext(ctx, `DELETE FROM reports WHERE task_id = $1 AND state = 'pending'`, id)
		return err
	case TaskActive:
		t, err := getTask(ctx, tx, id)
		if err != nil {
			return err
		}
		set, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		return s.openPeriods(ctx, tx, t, s.today(), set)
	}
	return nil
}

// verdict records the office's ruling on the latest completion report.
func verdict(ctx context.Context, tx *sql.Tx, taskID int64, v, reason string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE completions SET verdict=$1, verdict_reason=$2, verdict_at=$3, verdict_by=$4
		WHERE id = (SELECT MAX(id) FROM completions WHERE task_id = $5) AND verdict = ''`, v, reason, now, access.FromContext(ctx).LoginOrSystem(), taskID)
	return err
}

// moveTask runs one step of a task's completion and closure in a
// transaction: permission on the lead unit, the version claimed, the move
// allowed from the current status, a reason where one is needed, then
// apply, the plan's revision, roll-up, timeline and audit.
func (s *Service) moveTask(ctx context.Context, id int64, version int, step taskStep, reason string, apply func(*sql.Tx, Task) error) (Task, error) {
	var after Task
	err := s.tx(ctx, func(tx *sql.Tx) error {
		before, err := getTask(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := access.FromContext(ctx).Check(step.action, before.LeadUnitID); err != nil {
			return err
		}
		p, err := s.lockPlan(ctx, tx, before.PlanID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE tasks SET version = version + 1 WHERE id = $1 AND version = $2`, id, version)
		if err != nil {
			return err
		}
		if err := staleIfNone(res, func() (any, error) { return getTask(ctx, tx, id) }); err != nil {
			return err
		}
		allowed := false
		for _, f := range step.from {
			allowed = allowed || before.Status == f
		}
		if !allowed {
			return errs.New(errs.Conflict, "error.task.transition", string(before.Status), string(step.to))
		}
		reason = strings.TrimSpace(reason)
		if step.to == TaskActive || step.to == TaskCancelled || step.to == TaskMerged {
			var v errs.Validation
			v.Text("reason", reason, true, 2000)
			if err := v.Err(); err != nil {
				return err
			}
		}
		if p.Status == Done {
			return errs.New(errs.Conflict, "error.plan.closed")
		}
		changes, err := s.taskChanges(ctx, tx, p.ID, id, func() (int64, error) {
			if apply != nil {
				if err := apply(tx, before); err != nil {
					return 0, err
				}
			}
			_, err := tx.ExecContext(ctx, `UPDATE tasks SET status=$1, status_reason=$2, updated_at=$3 WHERE id=$4`, step.to, reason, s.now(), id)
			return id, err
		})
		if err != nil {
			return err
		}
		if err := s.reperiod(ctx, tx, id, step.to); err != nil {
			return err
		}
		set, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.refresh(ctx, tx, id, set); err != nil {
			return err
		}
		if step.to == TaskCancelled || step.to == TaskMerged {
			if err := s.revise(ctx, tx, p.ID, RevisionNote{Reason: reason, ApprovedBy: access.FromContext(ctx).LoginOrSystem()}, changes); err != nil {
				return err
			}
		}
		if after, err = getTask(ctx, tx, id); err != nil {
			return err
		}
		if err := s.event(ctx, tx, id, step.event, before.LeadUnitID, 0, reason); err != nil {
			return err
		}
		if err := s.afterTask(ctx, tx, after, step); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: step.event, ObjectType: "task", ObjectID: id, Before: before, After: after})
	})
	return after, err
}
