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

// ReportState is where a progress report is in review.
type ReportState string

const (
	Pending   ReportState = "pending"   // the period has begun; nothing written yet
	Drafted   ReportState = "draft"     // saved, not submitted
	Submitted ReportState = "submitted" // waiting for the unit leader or the office
	Approved  ReportState = "approved"  // signed off by the unit leader, waiting for the office
	Accepted  ReportState = "accepted"  // accepted by the office: final
	Returned  ReportState = "returned"  // sent back with a reason (退回), to be resubmitted
)

// ReportStates lists the states in the order of review.
var ReportStates = []ReportState{Pending, Drafted, Submitted, Approved, Accepted, Returned}

// SelfStatus is how the unit judges its own progress.
type SelfStatus string

// SelfStatuses are the choices a unit has.
var SelfStatuses = []SelfStatus{"on_track", "at_risk", "behind", "done"}

// Report is one assignment's progress report for one period.
type Report struct {
	ID               int64       `json:"id"`
	AssignmentID     int64       `json:"assignment_id"`
	TaskID           int64       `json:"task_id"`
	UnitID           int64       `json:"unit_id"`
	PeriodStart      clock.Date  `json:"period_start"`
	PeriodEnd        clock.Date  `json:"period_end"`
	DueOn            clock.Date  `json:"due_on"`
	State            ReportState `json:"state"`
	Percent          *float64    `json:"percent"`
	SelfStatus       SelfStatus  `json:"self_status"`
	Narrative        string      `json:"narrative"`
	Problems         string      `json:"problems"`
	HelpNeeded       string      `json:"help_needed"`
	NextSteps        string      `json:"next_steps"`
	FirstSubmittedAt *time.Time  `json:"first_submitted_at"`
	OnTime           *bool       `json:"on_time"`
	SubmittedAt      *time.Time  `json:"submitted_at"`
	SubmittedBy      string      `json:"submitted_by"`
	ApprovedAt       *time.Time  `json:"approved_at"`
	ApprovedBy       string      `json:"approved_by"`
	ReviewedAt       *time.Time  `json:"reviewed_at"`
	ReviewedBy       string      `json:"reviewed_by"`
	ReturnReason     string      `json:"return_reason"`
	Returns          int         `json:"returns"`
	ChaseLevel       int         `json:"chase_level"`
	Version          int         `json:"version"`
	UpdatedAt        time.Time   `json:"updated_at"`
}

// ReportInput is what a unit writes in a report.
type ReportInput struct {
	Percent    *float64   `json:"percent"`
	SelfStatus SelfStatus `json:"self_status"`
	Narrative  string     `json:"narrative"`
	Problems   string     `json:"problems"`
	HelpNeeded string     `json:"help_needed"`
	NextSteps  string     `json:"next_steps"`
	Files      []File     `json:"-"` // evidence added with this step
}

const reportColumns = `id, assignment_id, task_id, unit_id, period_start, period_end, due_on, state, percent, self_status, narrative, problems,
	help_needed, next_steps, first_submitted_at, on_time, submitted_at, submitted_by, approved_at, approved_by, reviewed_at, reviewed_by,
	return_reason, returns, chase_level, version, updated_at`

func scanReport(row db.Scanner) (Report, error) {
	var r Report
	var first, sub, appr, rev sql.NullTime
	var onTime sql.NullBool
	err := row.Scan(&r.ID, &r.AssignmentID, &r.TaskID, &r.UnitID, &r.PeriodStart, &r.PeriodEnd, &r.DueOn, &r.State, &r.Percent, &r.SelfStatus,
		&r.Narrative, &r.Problems, &r.HelpNeeded, &r.NextSteps, &first, &onTime, &sub, &r.SubmittedBy, &appr, &r.ApprovedBy, &rev, &r.ReviewedBy,
		&r.ReturnReason, &r.Returns, &r.ChaseLevel, &r.Version, &r.UpdatedAt)
	r.FirstSubmittedAt, r.SubmittedAt, r.ApprovedAt, r.ReviewedAt = timePtr(first), timePtr(sub), timePtr(appr), timePtr(rev)
	if onTime.Valid {
		r.OnTime = &onTime.Bool
	}
	r.UpdatedAt = r.UpdatedAt.UTC()
	return r, err
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func getReport(ctx context.Context, q db.Querier, id int64) (Report, error) {
	r, err := scanReport(q.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM reports WHERE id = $1`, id))
	return r, errs.NotFoundIf(err, "report")
}

// Report returns one report.
func (s *Service) Report(ctx context.Context, id int64) (Report, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return Report{}, err
	}
	return getReport(ctx, s.DB.R, id)
}

// TaskReports lists every report of a task, latest period first.
func (s *Service) TaskReports(ctx context.Context, taskID int64) ([]Report, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanReport, `SELECT `+reportColumns+` FROM reports WHERE task_id = $1 ORDER BY period_end DESC, unit_id`, taskID)
}

// Late reports whether the report is overdue today: due and not submitted.
func (r Report) Late(today clock.Date) bool {
	return (r.State == Pending || r.State == Drafted) && today.After(r.DueOn)
}

// Editable reports whether the unit may still change the report.
func (r Report) Editable() bool {
	return r.State == Pending || r.State == Drafted || r.State == Returned
}

func (in *ReportInput) validate(submit bool) error {
	var v errs.Validation
	in.Narrative = strings.TrimSpace(in.Narrative)
	v.Text("narrative", in.Narrative, submit, 8000)
	v.Text("problems", in.Problems, false, 4000)
	v.Text("help_needed", in.HelpNeeded, false, 4000)
	v.Text("next_steps", in.NextSteps, false, 4000)
	switch {
	case in.Percent == nil && submit:
		v.Add("percent", "error.required")
	case in.Percent != nil && (*in.Percent < 0 || *in.Percent > 100):
		v.Add("percent", "error.range", 0, 100)
	}
	valid := in.SelfStatus == "" && !submit
	for _, st := range SelfStatuses {
		valid = valid || in.SelfStatus == st
	}
	if !valid {
		v.Add("self_status", "error.choice")
	}
	return v.Err()
}

// reportStep is one move of a report through review.
type reportStep struct {
	action access.Action
	from   []ReportState
	to     ReportState
	event  string // timeline kind and audit action suffix
}

// The review state machine: every move a report can make, and no other.
var (
	stepSave    = reportStep{access.ReportProgress, []ReportState{Pending, Drafted, Returned}, Drafted, "report.saved"}
	stepSubmit  = reportStep{access.ReportProgress, []ReportState{Pending, Drafted, Returned}, Submitted, "report.submitted"}
	stepApprove = reportStep{access.ApproveReport, []ReportState{Submitted}, Approved, "report.approved"}
	stepAccept  = reportStep{access.ReviewReport, []ReportState{Submitted, Approved}, Accepted, "report.accepted"}
	stepReturn  = reportStep{access.ReviewReport, []ReportState{Submitted, Approved}, Returned, "report.returned"}
	// The unit leader may send a report back to their reporter before it
	// reaches the office.
	stepLeaderReturn = reportStep{access.ApproveReport, []ReportState{Submitted}, Returned, "report.returned"}
)

// SaveReport keeps a draft.
func (s *Service) SaveReport(ctx context.Context, id int64, in ReportInput, version int) (Report, error) {
	return s.moveReport(ctx, id, version, stepSave, s.saveDraft(ctx, in))
}

func (s *Service) saveDraft(ctx context.Context, in ReportInput) func(*sql.Tx, Report, Settings) error {
	return func(tx *sql.Tx, r Report, set Settings) error {
		if err := in.validate(false); err != nil {
			return err
		}
		if err := s.attachAll(ctx, tx, "report", r.ID, in.Files); err != nil {
			return err
		}
		state := Drafted
		if r.State == Returned {
			state = Returned // stays visibly returned until resubmitted
		}
		return writeReport(ctx, tx, r.ID, in, state, s.now())
	}
}

// SubmitReport saves and submits a report. The first submission's time is
// kept and judged on time or late against the due date.
func (s *Service) SubmitReport(ctx context.Context, id int64, in ReportInput, version int) (Report, error) {
	return s.moveReport(ctx, id, version, stepSubmit, s.submit(ctx, in))
}

func (s *Service) submit(ctx context.Context, in ReportInput) func(*sql.Tx, Report, Settings) error {
	return func(tx *sql.Tx, r Report, set Settings) error {
		if err := in.validate(true); err != nil {
			return err
		}
		if err := s.attachAll(ctx, tx, "report", r.ID, in.Files); err != nil {
			return err
		}
		now := s.now()
		if err := writeReport(ctx, tx, r.ID, in, Submitted, now); err != nil {
			return err
		}
		onTime := !clock.DayOf(now).After(r.DueOn)
		_, err := tx.ExecContext(ctx, `UPDATE reports SET submitted_at=$1, submitted_by=$2,
			first_submitted_at=COALESCE(first_submitted_at, $1), on_time=COALESCE(on_time, $3) WHERE id=$4`,
			now, access.FromContext(ctx).LoginOrSystem(), onTime, r.ID)
		if err != nil {
			return err
		}
		return indexText(ctx, tx, "report", r.ID, r.TaskID, in.Narrative, in.Problems, in.HelpNeeded, in.NextSteps)
	}
}

func writeReport(ctx context.Context, tx *sql.Tx, id int64, in ReportInput, state ReportState, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE reports SET state=$1, percent=$2, self_status=$3, narrative=$4, problems=$5, help_needed=$6, next_steps=$7, updated_at=$8 WHERE id=$9`,
		state, in.Percent, in.SelfStatus, in.Narrative, in.Problems, in.HelpNeeded, in.NextSteps, now, id)
	return err
}

// ApproveReport is the unit leader's sign-off, when the alliance asks for it.
func (s *Service) ApproveReport(ctx context.Context, id int64, version int) (Report, error) {
	return s.moveReport(ctx, id, version, stepApprove, func(tx *sql.Tx, r Report, set Settings) error {
		if !set.LeaderApproval {
			return errs.New(errs.Conflict, "error.report.no_approval")
		}
		_, err := tx.ExecContext(ctx, `UPDATE reports SET state='approved', approved_at=$1, approved_by=$2 WHERE id=$3`, s.now(), access.FromContext(ctx).LoginOrSystem(), id)
		return err
	})
}

// AcceptReport is the office's acceptance. With leader approval on, only an
// approved report can be accepted.
func (s *Service) AcceptReport(ctx context.Context, id int64, version int) (Report, error) {
	return s.moveReport(ctx, id, version, stepAccept, func(tx *sql.Tx, r Report, set Settings) error {
		if set.LeaderApproval && r.State != Approved {
			return errs.New(errs.Conflict, "error.report.transition", string(r.State), string(Accepted))
		}
		return review(ctx, tx, id, Accepted, "", s.now())
	})
}

// ReturnReport sends a report back with a reason: the office does so for a
// submitted or approved report, the unit leader for one not yet approved.
func (s *Service) ReturnReport(ctx context.Context, id int64, reason string, version int) (Report, error) {
	step := stepReturn
	if !access.FromContext(ctx).Can(access.ReviewReport, 0) {
		step = stepLeaderReturn
	}
	return s.moveReport(ctx, id, version, step, func(tx *sql.Tx, r Report, set Settings) error {
		var v errs.Validation
		v.Text("reason", reason, true, 2000)
		if err := v.Err(); err != nil {
			return err
		}
		return review(ctx, tx, id, Returned, strings.TrimSpace(reason), s.now())
	})
}

func review(ctx context.Context, tx *sql.Tx, id int64, to ReportState, reason string, now time.Time) error {
	returned := 0
	if to == Returned {
		returned = 1
	}
	_, err := tx.ExecContext(ctx, `UPDATE reports SET state=$1, reviewed_at=$2, reviewed_by=$3, return_reason=$4, returns=returns+$5 WHERE id=$6`,
		to, now, access.FromContext(ctx).LoginOrSystem(), reason, returned, id)
	return err
}

// moveReport runs one step of the review state machine in a transaction of
// its own; see moveReportTx.
func (s *Service) moveReport(ctx context.Context, id int64, version int, step reportStep, apply func(*sql.Tx, Report, Settings) error) (Report, error) {
	var after Report
	err := s.tx(ctx, func(tx *sql.Tx) (err error) {
		after, err = s.moveReportTx(ctx, tx, id, version, step, apply)
		return err
	})
	return after, err
}

// moveReportTx runs one step of the review state machine in tx: permission
// on the report's unit, the version claimed, the move allowed from the
// current state, then apply, roll-up, timeline, notices and audit.
func (s *Service) moveReportTx(ctx context.Context, tx *sql.Tx, id int64, version int, step reportStep, apply func(*sql.Tx, Report, Settings) error) (Report, error) {
	before, err := getReport(ctx, tx, id)
	if err != nil {
		return Report{}, err
	}
	if err := access.FromContext(ctx).Check(step.action, before.UnitID); err != nil {
		return Report{}, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE reports SET version = version + 1 WHERE id = $1 AND version = $2`, id, version)
	if err != nil {
		return Report{}, err
	}
	if err := staleIfNone(res, func() (any, error) { return getReport(ctx, tx, id) }); err != nil {
		return Report{}, err
	}
	allowed := false
	for _, f := range step.from {
		allowed = allowed || before.State == f
	}
	if !allowed {
		return Report{}, errs.New(errs.Conflict, "error.report.transition", string(before.State), string(step.to))
	}
	var active bool
	var status Status
	if err := tx.QueryRowContext(ctx, `SELECT a.active, t.status FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE a.id = $1`, before.AssignmentID).Scan(&active, &status); err != nil {
		return Report{}, err
	}
	if !active || status != TaskActive && status != TaskFiled {
		return Report{}, errs.New(errs.Conflict, "error.task.not_active", string(status))
	}
	set, err := loadSettings(ctx, tx)
	if err != nil {
		return Report{}, err
	}
	if err := apply(tx, before, set); err != nil {
		return Report{}, err
	}
	if err := s.refresh(ctx, tx, before.TaskID, set); err != nil {
		return Report{}, err
	}
	after, err := getReport(ctx, tx, id)
	if err != nil {
		return Report{}, err
	}
	if step.event != stepSave.event {
		note := ""
		if step.to == Returned {
			note = after.ReturnReason
		}
		if err := s.event(ctx, tx, before.TaskID, step.event, before.UnitID, id, note); err != nil {
			return Report{}, err
		}
	}
	if err := s.afterReport(ctx, tx, after, step); err != nil {
		return Report{}, err
	}
	return after, audit.Record(ctx, tx, audit.Change{Action: step.event, ObjectType: "report", ObjectID: id, Before: before, After: after})
}
