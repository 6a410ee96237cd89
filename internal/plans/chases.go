package plans

import (
	"context"
	"database/sql"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
)

// Chase levels: who a chase (催办) goes to.
const (
	ChaseResponsible = 1 // the responsible person (or the unit's reporters)
	ChaseLeader      = 2 // the unit leader
	ChaseOffice      = 3 // the coordination office
)

// Chase is one chase of a unit about a task or one of its reports.
type Chase struct {
	ID           int64     `json:"id"`
	TaskID       int64     `json:"task_id"`
	AssignmentID int64     `json:"assignment_id"`
	ReportID     *int64    `json:"report_id"`
	UnitID       int64     `json:"unit_id"`
	Level        int       `json:"level"`
	Note         string    `json:"note"`
	SentBy       string    `json:"sent_by"` // "" for the automatic chases
	CreatedAt    time.Time `json:"created_at"`
	TaskCode     string    `json:"task_code"`
	TaskTitle    string    `json:"task_title"`
}

// Chases lists chases of a unit (unitID ≠ 0) or of a task, newest first.
func (s *Service) Chases(ctx context.Context, unitID, taskID int64, limit int) ([]Chase, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, err
	}
	cond, arg := "c.unit_id = $1", unitID
	if unitID == 0 {
		cond, arg = "c.task_id = $1", taskID
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	return db.All(ctx, s.DB.R, func(row db.Scanner) (Chase, error) {
		var c Chase
		err := row.Scan(&c.ID, &c.TaskID, &c.AssignmentID, &c.ReportID, &c.UnitID, &c.Level, &c.Note, &c.SentBy, &c.CreatedAt, &c.TaskCode, &c.TaskTitle)
		c.CreatedAt = c.CreatedAt.UTC()
		return c, err
	}, `SELECT c.id, c.task_id, c.assignment_id, c.report_id, c.unit_id, c.level, c.note, c.sent_by, c.created_at, t.code, t.title
		FROM chases c JOIN tasks t ON t.id = c.task_id WHERE `+cond+` ORDER BY c.created_at DESC, c.id DESC LIMIT `+itoa(limit), arg)
}

// ChaseAssignment is a chase sent by hand by the office to a unit about its
// share of a task, with a note; it goes to the responsible person and the
// unit leader at once.
func (s *Service) ChaseAssignment(ctx context.Context, assignmentID int64, note string) (Chase, error) {
	if err := access.FromContext(ctx).Check(access.ChaseTask, 0); err != nil {
		return Chase{}, err
	}
	var v errs.Validation
	v.Text("note", note, true, 1000)
	if err := v.Err(); err != nil {
		return Chase{}, err
	}
	var c Chase
	err := s.tx(ctx, func(tx *sql.Tx) error {
		a, err := getAssignment(ctx, tx, assignmentID)
		if err != nil {
			return err
		}
		t, err := getTask(ctx, tx, a.TaskID)
		if err != nil {
			return err
		}
		if !a.Active || t.Status != TaskActive {
			return errs.New(errs.Conflict, "error.task.not_active", string(t.Status))
		}
		c, err = s.chase(ctx, tx, t, a, nil, ChaseLeader, note, access.FromContext(ctx).LoginOrSystem())
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "task.chase", ObjectType: "chase", ObjectID: c.ID, After: c})
	})
	return c, err
}

// chase records a chase, puts it on the task's timeline and tells the
// people its level reaches.
func (s *Service) chase(ctx context.Context, tx *sql.Tx, t Task, a Assignment, r *Report, level int, note, by string) (Chase, error) {
	c := Chase{TaskID: t.ID, AssignmentID: a.ID, UnitID: a.UnitID, Level: level, Note: note, SentBy: by, CreatedAt: s.now(), TaskCode: t.Code, TaskTitle: t.Title}
	if r != nil {
		c.ReportID = &r.ID
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO chases (task_id, assignment_id, report_id, unit_id, level, note, sent_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`,
		c.TaskID, c.AssignmentID, c.ReportID, c.UnitID, c.Level, c.Note, c.SentBy, c.CreatedAt).Scan(&c.ID)
	if err != nil {
		return c, err
	}
	if err := s.event(ctx, tx, t.ID, "chase", a.UnitID, c.ID, note); err != nil {
		return c, err
	}
	return c, s.tellChase(ctx, tx, t, a, r, c)
}
