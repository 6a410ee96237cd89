// Package problems keeps the problem list (问题清单): a unit raises a
// problem that needs other units, on its own or from a progress report's
// "help needed"; the coordination office accepts it with a handling unit
// and a deadline, or rejects it with a reason; the handling unit responds;
// the office may escalate it to a meeting's agenda; the raiser confirms it
// solved, or not, which reopens it. Every step is on the timeline and in
// the audit trail.
package problems

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/changes"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/evidence"
	"concord/internal/notify"
	"concord/internal/plans"
	"concord/internal/timeline"
)

// Service is the problem list's store.
type Service struct {
	DB     *db.DB
	Clock  clock.Clock
	Plans  *plans.Service // the chase's settings (ChaseOverdue)
	writes changes.Counter
}

// Changes counts the writes this service has committed, for caches of what
// it reads.
func (s *Service) Changes() uint64 { return s.writes.N() }

func (s *Service) now() time.Time { return s.Clock.Now() }

// Status is where a problem is.
type Status string

const (
	Raised    Status = "raised"    // waiting for the office
	Rejected  Status = "rejected"  // not taken up, with a reason
	Assigned  Status = "assigned"  // with its handling unit
	Responded Status = "responded" // the handling unit answered; the raiser confirms
	Solved    Status = "solved"
)

// Categories are the kinds of problem the list sorts by.
var Categories = []string{"policy", "planning", "funding", "land", "infrastructure", "environment", "industry", "public_service", "other"}

// Problem is one entry of the list.
type Problem struct {
	ID               int64       `json:"id"`
	RaisedByUnitID   int64       `json:"raised_by_unit_id"`
	RaisedBy         string      `json:"raised_by"`
	ReportID         *int64      `json:"report_id"`
	Category         string      `json:"category"`
	Title            string      `json:"title"`
	Description      string      `json:"description"`
	Ask              string      `json:"ask"`
	UnitIDs          []int64     `json:"unit_ids"`
	Status           Status      `json:"status"`
	RejectReason     string      `json:"reject_reason"`
	HandlingUnitID   *int64      `json:"handling_unit_id"`
	DueOn            *clock.Date `json:"due_on"`
	Response         string      `json:"response"`
	Escalated        bool        `json:"escalated"`
	EscalationReason string      `json:"escalation_reason"`
	MeetingRef       string      `json:"meeting_ref"`
	Reopened         int         `json:"reopened"`
	ChaseLevel       int         `json:"chase_level"` // the highest level chased past the deadline
	SolvedAt         *time.Time  `json:"solved_at"`
	Version          int         `json:"version"`
	CreatedAt        time.Time   `json:"created_at"`
	UpdatedAt        time.Time   `json:"updated_at"`
}

// HandlingDays is how many days the problem took from raised to solved,
// or -1 while it is not solved.
func (p Problem) HandlingDays() int {
	if p.SolvedAt == nil {
		return -1
	}
	return clock.DayOf(p.CreatedAt).DaysUntil(clock.DayOf(*p.SolvedAt))
}

// Input is what a unit raises.
type Input struct {
	Category    string  `json:"category"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Ask         string  `json:"ask"`
	UnitIDs     []int64 `json:"unit_ids"` // the units involved
	ReportID    *int64  `json:"report_id"`
}

const columns = `id, raised_by_unit_id, raised_by, report_id, category, title, description, ask, status, reject_reason, handling_unit_id, due_on,
	response, escalated, escalation_reason, meeting_ref, reopened, chase_level, solved_at, version, created_at, updated_at`

func scan(row db.Scanner) (Problem, error) {
	var p Problem
	err := row.Scan(&p.ID, &p.RaisedByUnitID, &p.RaisedBy, &p.ReportID, &p.Category, &p.Title, &p.Description, &p.Ask, &p.Status, &p.RejectReason,
		&p.HandlingUnitID, &p.DueOn, &p.Response, &p.Escalated, &p.EscalationReason, &p.MeetingRef, &p.Reopened, &p.ChaseLevel, &p.SolvedAt, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if p.SolvedAt != nil {
		t := p.SolvedAt.UTC()
		p.SolvedAt = &t
	}
	return p, err
}

func get(ctx context.Context, q db.Querier, id int64) (Problem, error) {
	p, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM problems WHERE id = $1`, id))
	if err != nil {
		return p, errs.NotFoundIf(err, "problem")
	}
	p.UnitIDs, err = db.All(ctx, q, func(row db.Scanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `SELECT unit_id FROM problem_units WHERE problem_id = $1 ORDER BY unit_id`, id)
	return p, err
}

// Problem returns one problem with the units involved.
func (s *Service) Problem(ctx context.Context, id int64) (Problem, error) {
	if err := access.FromContext(ctx).Check(access.ViewProblems, 0); err != nil {
		return Problem{}, err
	}
	return get(ctx, s.DB.R, id)
}

// Filter narrows the list; zero fields match everything.
type Filter struct {
	Status   Status
	OpenOnly bool // neither solved nor rejected
	// UnitID selects the problems a unit raised, handles or is involved in.
	UnitID int64
	// HandlingUnitID selects the problems a unit must handle.
	HandlingUnitID int64
	// RaisedByUnitID selects the problems a unit raised.
	RaisedByUnitID int64
	Escalated      bool
	// SolvedFrom and SolvedTo (inclusive days) select by the day solved,
	// e.g. a scorecard period; with HandlingDays they give handling times.
	SolvedFrom, SolvedTo clock.Date
}

// List returns problems, newest first (without the units involved).
func (s *Service) List(ctx context.Context, f Filter) ([]Problem, error) {
	if err := access.FromContext(ctx).Check(access.ViewProblems, 0); err != nil {
		return nil, err
	}
	var w db.Where
	add := w.Add
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.OpenOnly {
		w.Add("status NOT IN ('solved','rejected')")
	}
	if f.UnitID != 0 {
		add("(raised_by_unit_id = ? OR handling_unit_id = ? OR EXISTS (SELECT 1 FROM problem_units u WHERE u.problem_id = problems.id AND u.unit_id = ?))", f.UnitID)
	}
	if f.HandlingUnitID != 0 {
		add("handling_unit_id = ?", f.HandlingUnitID)
	}
	if f.RaisedByUnitID != 0 {
		add("raised_by_unit_id = ?", f.RaisedByUnitID)
	}
	if f.Escalated {
		w.Add("escalated")
	}
	if !f.SolvedFrom.IsZero() {
		add("solved_at >= ?", f.SolvedFrom.Time())
	}
	if !f.SolvedTo.IsZero() {
		add("solved_at < ?", f.SolvedTo.AddDays(1).Time())
	}
	return db.All(ctx, s.DB.R, scan, `SELECT `+columns+` FROM problems`+w.SQL()+` ORDER BY created_at DESC, id DESC`, w.Args...)
}

func unitExists(ctx context.Context, q db.Querier, id int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM units WHERE id = $1 AND active`, id).Scan(&n)
	return n > 0, err
}

// Raise puts a problem of the actor's unit on the list. One raised from a
// report names a report of the same unit that asked for help.
func (s *Service) Raise(ctx context.Context, in Input) (Problem, error) {
	actor := access.FromContext(ctx)
	if err := actor.Check(access.RaiseProblem, actor.UnitID); err != nil {
		return Problem{}, err
	}
	var p Problem
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		var v errs.Validation
		if !slices.Contains(Categories, in.Category) {
			v.Add("category", "error.choice")
		}
		v.Text("title", in.Title, true, 200)
		v.Text("description", in.Description, false, 8000)
		v.Text("ask", in.Ask, true, 4000)
		slices.Sort(in.UnitIDs)
		in.UnitIDs = slices.Compact(in.UnitIDs)
		others := 0
		for _, u := range in.UnitIDs {
			ok, err := unitExists(ctx, tx, u)
			if err != nil {
				return err
			}
			if !ok {
				v.Add("unit_ids", "error.problem.unit_unknown", u)
			}
			if u != actor.UnitID {
				others++
			}
		}
		if others == 0 {
			v.Add("unit_ids", "error.problem.no_other_unit")
		}
		if in.ReportID != nil {
			var unit int64
			var help string
			err := tx.QueryRowContext(ctx, `SELECT unit_id, help_needed FROM reports WHERE id = $1`, *in.ReportID).Scan(&unit, &help)
			switch {
			case err == sql.ErrNoRows || err == nil && unit != actor.UnitID:
				v.Add("report_id", "error.problem.report_unknown")
			case err != nil:
				return err
			case strings.TrimSpace(help) == "":
				v.Add("report_id", "error.problem.report_no_help")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		now := s.now()
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO problems (raised_by_unit_id, raised_by, report_id, category, title, description, ask, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING id`, actor.UnitID, actor.LoginOrSystem(), in.ReportID, in.Category, in.Title, in.Description, in.Ask, now).Scan(&id)
		if err != nil {
			return err
		}
		for _, u := range in.UnitIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO problem_units (problem_id, unit_id) VALUES ($1,$2)`, id, u); err != nil {
				return err
			}
		}
		if p, err = get(ctx, tx, id); err != nil {
			return err
		}
		if err := s.step(ctx, tx, p, "raised", in.Ask); err != nil {
			return err
		}
		office := notify.Audience{}
		if err := office.Role(ctx, tx, access.Coordinator, 0); err != nil {
			return err
		}
		if err := s.tell(ctx, tx, office, p, "problem.raised", ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "problem.raise", ObjectType: "problem", ObjectID: id, After: p})
	})
	return p, err
}

// Triage is the office's decision on a raised problem: accept it with a
// handling unit and a deadline, or reject it with a reason.
type Triage struct {
	Accept         bool       `json:"accept"`
	Reason         string     `json:"reason"`
	HandlingUnitID int64      `json:"handling_unit_id"`
	DueOn          clock.Date `json:"due_on"`
}

func (s *Service) checkAssignment(ctx context.Context, q db.Querier, v *errs.Validation, unit int64, due clock.Date) error {
	ok, err := unitExists(ctx, q, unit)
	if err != nil {
		return err
	}
	if !ok {
		v.Add("handling_unit_id", "error.problem.unit_unknown", unit)
	}
	switch {
	case due.IsZero():
		v.Add("due_on", "error.required")
	case due.Before(clock.Today(s.Clock)):
		v.Add("due_on", "error.problem.due_past")
	}
	return nil
}

// TriageProblem accepts (→ assigned) or rejects a raised problem.
func (s *Service) TriageProblem(ctx context.Context, id int64, t Triage, version int) (Problem, error) {
	return s.change(ctx, id, version, "problem.triage", access.TriageProblem, func(tx *sql.Tx, p Problem) (step, error) {
		next := Assigned
		if !t.Accept {
			next = Rejected
		}
		if p.Status != Raised {
			return step{}, transition(p.Status, next)
		}
		var v errs.Validation
		if !t.Accept {
			v.Text("reason", t.Reason, true, 2000)
			if err := v.Err(); err != nil {
				return step{}, err
			}
			_, err := tx.ExecContext(ctx, `UPDATE problems SET status='rejected', reject_reason=$1, updated_at=$2 WHERE id=$3`, t.Reason, s.now(), id)
			return step{kind: "rejected", note: t.Reason, tell: "problem.rejected", raiser: true}, err
		}
		v.Text("reason", t.Reason, false, 2000)
		if err := s.checkAssignment(ctx, tx, &v, t.HandlingUnitID, t.DueOn); err != nil {
			return step{}, err
		}
		if err := v.Err(); err != nil {
			return step{}, err
		}
		_, err := tx.ExecContext(ctx, `UPDATE problems SET status='assigned', handling_unit_id=$1, due_on=$2, updated_at=$3 WHERE id=$4`, t.HandlingUnitID, t.DueOn, s.now(), id)
		return step{kind: "assigned", note: t.Reason, tell: "problem.assigned", handler: t.HandlingUnitID, raiser: true}, err
	})
}

// Reassign gives an assigned problem another handling unit or deadline.
func (s *Service) Reassign(ctx context.Context, id int64, unit int64, due clock.Date, reason string, version int) (Problem, error) {
	return s.change(ctx, id, version, "problem.reassign", access.TriageProblem, func(tx *sql.Tx, p Problem) (step, error) {
		if p.Status != Assigned {
			return step{}, transition(p.Status, Assigned)
		}
		var v errs.Validation
		v.Text("reason", reason, true, 2000)
		if err := s.checkAssignment(ctx, tx, &v, unit, due); err != nil {
			return step{}, err
		}
		if err := v.Err(); err != nil {
			return step{}, err
		}
		_, err := tx.ExecContext(ctx, `UPDATE problems SET handling_unit_id=$1, due_on=$2, chase_level=0, updated_at=$3 WHERE id=$4`, unit, due, s.now(), id)
		return step{kind: "reassigned", note: reason, tell: "problem.assigned", handler: unit}, err
	})
}

// Respond is the handling unit's answer.
func (s *Service) Respond(ctx context.Context, id int64, response string, version int) (Problem, error) {
	return s.change(ctx, id, version, "problem.respond", access.RespondProblem, func(tx *sql.Tx, p Problem) (step, error) {
		if p.Status != Assigned {
			return step{}, transition(p.Status, Responded)
		}
		if err := access.FromContext(ctx).Check(access.RespondProblem, *p.HandlingUnitID); err != nil {
			return step{}, err
		}
		var v errs.Validation
		v.Text("response", response, true, 8000)
		if err := v.Err(); err != nil {
			return step{}, err
		}
		_, err := tx.ExecContext(ctx, `UPDATE problems SET status='responded', response=$1, updated_at=$2 WHERE id=$3`, response, s.now(), id)
		return step{kind: "responded", note: response, tell: "problem.responded", raiser: true}, err
	})
}

// Escalate puts an unresolved problem on a joint meeting's agenda: a
// reason, and the meeting's reference when it is known.
func (s *Service) Escalate(ctx context.Context, id int64, reason, meetingRef string, version int) (Problem, error) {
	return s.change(ctx, id, version, "problem.escalate", access.TriageProblem, func(tx *sql.Tx, p Problem) (step, error) {
		if p.Status != Assigned && p.Status != Responded {
			return step{}, errs.New(errs.Conflict, "error.problem.escalate_state", string(p.Status))
		}
		if p.Escalated {
			return step{}, errs.New(errs.Conflict, "error.problem.escalated")
		}
		var v errs.Validation
		v.Text("reason", reason, true, 2000)
		v.Text("meeting_ref", meetingRef, false, 200)
		if err := v.Err(); err != nil {
			return step{}, err
		}
		_, err := tx.ExecContext(ctx, `UPDATE problems SET escalated=TRUE, escalation_reason=$1, meeting_ref=$2, updated_at=$3 WHERE id=$4`, reason, meetingRef, s.now(), id)
		return step{kind: "escalated", note: reason, tell: "problem.escalated", handler: *p.HandlingUnitID, raiser: true}, err
	})
}

// Confirm is the raiser's word on a response: solved closes the problem,
// not solved sends it back to the handling unit with the reason.
func (s *Service) Confirm(ctx context.Context, id int64, solved bool, note string, version int) (Problem, error) {
	return s.change(ctx, id, version, "problem.confirm", access.RaiseProblem, func(tx *sql.Tx, p Problem) (step, error) {
		next := Solved
		if !solved {
			next = Assigned
		}
		if p.Status != Responded {
			return step{}, transition(p.Status, next)
		}
		if err := access.FromContext(ctx).Check(access.RaiseProblem, p.RaisedByUnitID); err != nil {
			return step{}, err
		}
		var v errs.Validation
		v.Text("note", note, !solved, 2000)
		if err := v.Err(); err != nil {
			return step{}, err
		}
		now := s.now()
		if solved {
			_, err := tx.ExecContext(ctx, `UPDATE problems SET status='solved', solved_at=$1, updated_at=$1 WHERE id=$2`, now, id)
			return step{kind: "solved", note: note, tell: "problem.solved", handler: *p.HandlingUnitID}, err
		}
		_, err := tx.ExecContext(ctx, `UPDATE problems SET status='assigned', reopened=reopened+1, updated_at=$1 WHERE id=$2`, now, id)
		return step{kind: "reopened", note: note, tell: "problem.reopened", handler: *p.HandlingUnitID, office: true}, err
	})
}

func transition(from, to Status) error {
	return errs.New(errs.Conflict, "error.problem.transition", string(from), string(to))
}

// step is what a change puts on the timeline and who it tells.
type step struct {
	kind, note string
	tell       string // notice kind
	handler    int64  // tell the handling unit's staff and leaders
	raiser     bool   // tell whoever raised it
	office     bool   // tell the office
}

// change turns away at once an actor who may never do action, claims a
// problem's version, applies fn (which checks the unit the action reaches),
// and records the step, the notices and the audit entry.
func (s *Service) change(ctx context.Context, id int64, version int, auditAction string, action access.Action, fn func(*sql.Tx, Problem) (step, error)) (Problem, error) {
	if a := access.FromContext(ctx); a.Reach(action) == access.None {
		return Problem{}, a.Check(action, 0)
	}
	var after Problem
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		before, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE problems SET version = version + 1 WHERE id = $1 AND version = $2`, id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.StaleVersion(before)
		}
		st, err := fn(tx, before)
		if err != nil {
			return err
		}
		if after, err = get(ctx, tx, id); err != nil {
			return err
		}
		if err := s.step(ctx, tx, after, st.kind, st.note); err != nil {
			return err
		}
		to := notify.Audience{}
		if st.handler != 0 {
			if err := to.UnitStaff(ctx, tx, st.handler); err != nil {
				return err
			}
			if err := to.Role(ctx, tx, access.UnitLeader, st.handler); err != nil {
				return err
			}
		}
		if st.raiser {
			if err := to.Login(ctx, tx, after.RaisedBy); err != nil {
				return err
			}
		}
		if st.office {
			if err := to.Role(ctx, tx, access.Coordinator, 0); err != nil {
				return err
			}
		}
		delete(to, access.FromContext(ctx).UserID) // not the one who acted
		if err := s.tell(ctx, tx, to, after, st.tell, st.note); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: auditAction, ObjectType: "problem", ObjectID: id, Before: before, After: after})
	})
	return after, err
}

func (s *Service) step(ctx context.Context, q db.Querier, p Problem, kind, note string) error {
	return timeline.Add(ctx, q, timeline.Event{ObjectType: "problem", ObjectID: p.ID, Kind: kind, Note: note,
		Actor: access.FromContext(ctx).LoginOrSystem(), At: s.now()})
}

// Timeline lists a problem's steps, oldest first.
func (s *Service) Timeline(ctx context.Context, id int64) ([]timeline.Event, error) {
	if err := access.FromContext(ctx).Check(access.ViewProblems, 0); err != nil {
		return nil, err
	}
	return timeline.List(ctx, s.DB.R, "problem", id)
}

// tell sends "notice."+kind about p: its number, title and a note.
func (s *Service) tell(ctx context.Context, q db.Querier, to notify.Audience, p Problem, kind, note string) error {
	id := strconv.FormatInt(p.ID, 10)
	return to.Send(ctx, q, s.now(), notify.Message{Kind: kind, SubjectKey: "notice." + kind, Args: []string{id, p.Title, note},
		Link: "/problems/" + id, ObjectType: "problem", ObjectID: id, Dedupe: fmt.Sprintf("%s:%d:%d", kind, p.ID, p.Version)})
}

// AddEvidence stores a file on a problem, by the unit that raised it or the
// one handling it, while the problem is open.
func (s *Service) AddEvidence(ctx context.Context, id int64, name string, data []byte) (evidence.File, error) {
	if _, err := evidence.Check(name, data); err != nil {
		return evidence.File{}, err
	}
	if err := access.FromContext(ctx).Check(access.ViewProblems, 0); err != nil {
		return evidence.File{}, err
	}
	var f evidence.File
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		p, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		a := access.FromContext(ctx)
		if !a.Can(access.RaiseProblem, p.RaisedByUnitID) && (p.HandlingUnitID == nil || !a.Can(access.RespondProblem, *p.HandlingUnitID)) {
			return errs.New(errs.Forbidden, "error.forbidden")
		}
		if p.Status == Solved || p.Status == Rejected {
			return errs.New(errs.Conflict, "error.attachment.locked")
		}
		if f, err = evidence.Add(ctx, tx, "problem", id, name, data, a.LoginOrSystem(), s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "evidence.add", ObjectType: "evidence", ObjectID: f.ID, After: f})
	})
	return f, err
}

// Evidence lists a problem's files.
func (s *Service) Evidence(ctx context.Context, id int64) ([]evidence.File, error) {
	if err := access.FromContext(ctx).Check(access.ViewProblems, 0); err != nil {
		return nil, err
	}
	return evidence.List(ctx, s.DB.R, "problem", id)
}

// EvidenceContent returns one of a problem's files and its bytes.
func (s *Service) EvidenceContent(ctx context.Context, fileID int64) (evidence.File, []byte, error) {
	if err := access.FromContext(ctx).Check(access.ViewProblems, 0); err != nil {
		return evidence.File{}, nil, err
	}
	return evidence.Content(ctx, s.DB.R, fileID, "problem")
}

// Parties are the unit that raised a problem and the one handling it (0
// before triage), for the web layer's route scopes; it checks no permission.
func (s *Service) Parties(ctx context.Context, id int64) (raiser, handler int64, err error) {
	var h *int64
	err = s.DB.R.QueryRowContext(ctx, `SELECT raised_by_unit_id, handling_unit_id FROM problems WHERE id = $1`, id).Scan(&raiser, &h)
	if h != nil {
		handler = *h
	}
	return raiser, handler, errs.NotFoundIf(err, "problem")
}
