package meetings

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/plans"
)

// DecisionStatus is how a decision stands, derived from its tasks.
type DecisionStatus string

const (
	Unassigned DecisionStatus = "unassigned"  // no task yet
	InProgress DecisionStatus = "in_progress" // tasks on track or not started
	AtRisk     DecisionStatus = "at_risk"     // a task is yellow
	Overdue    DecisionStatus = "overdue"     // a task is red
	Completed  DecisionStatus = "completed"   // every task done, not all closed yet
	Done       DecisionStatus = "closed"      // every task verified and closed (销号)
	Dropped    DecisionStatus = "cancelled"   // every task cancelled or merged away
)

// DecisionStatuses lists the statuses in the order a brief shows them.
var DecisionStatuses = []DecisionStatus{Overdue, AtRisk, Unassigned, InProgress, Completed, Done, Dropped}

// Decision is a meeting decision (议定事项) on an agenda item, with the unit
// responsible and the tasks it became.
type Decision struct {
	ID           int64          `json:"id"`
	MeetingID    int64          `json:"meeting_id"`
	AgendaItemID int64          `json:"agenda_item_id"`
	Text         string         `json:"text"`
	AreaID       int64          `json:"area_id"`
	LeadUnitID   int64          `json:"lead_unit_id"`
	CoUnitIDs    []int64        `json:"co_unit_ids"`
	DueOn        clock.Date     `json:"due_on"`
	TaskIDs      []int64        `json:"task_ids"`
	Status       DecisionStatus `json:"status"`
	Version      int            `json:"version"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

// DecisionInput is what a caller sets on a decision.
type DecisionInput struct {
	AgendaItemID int64      `json:"agenda_item_id"`
	Text         string     `json:"text"`
	AreaID       int64      `json:"area_id"`
	LeadUnitID   int64      `json:"lead_unit_id"`
	CoUnitIDs    []int64    `json:"co_unit_ids"`
	DueOn        clock.Date `json:"due_on"`
}

func (in DecisionInput) validate(ctx context.Context, q db.Querier, m Meeting) error {
	var v errs.Validation
	v.Text("text", in.Text, true, 4000)
	if !hasItem(m.Agenda, in.AgendaItemID) {
		v.Add("agenda_item_id", "error.decision.agenda_unknown")
	}
	if in.LeadUnitID == 0 {
		v.Add("lead_unit_id", "error.decision.no_lead")
	} else if err := checkUnit(ctx, q, &v, "lead_unit_id", in.LeadUnitID); err != nil {
		return err
	}
	for _, u := range in.CoUnitIDs {
		if u == in.LeadUnitID {
			v.Add("co_unit_ids", "error.decision.co_is_lead")
		}
	}
	if err := checkUnits(ctx, q, &v, "co_unit_ids", in.CoUnitIDs); err != nil {
		return err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM areas WHERE id = $1 AND active`, in.AreaID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		v.Add("area_id", "error.decision.area_unknown")
	}
	switch {
	case in.DueOn.IsZero():
		v.Add("due_on", "error.required")
	case in.DueOn.Before(m.HeldOn):
		v.Add("due_on", "error.decision.due_before_meeting", m.HeldOn.String())
	}
	return v.Err()
}

func hasItem(items []AgendaItem, id int64) bool {
	for _, a := range items {
		if a.ID == id {
			return true
		}
	}
	return false
}

const decisionColumns = `d.id, d.meeting_id, d.agenda_item_id, d.text, d.area_id, d.lead_unit_id, d.co_unit_ids, d.due_on, d.version, d.created_at, d.updated_at`

func scanDecision(row db.Scanner) (Decision, error) {
	var d Decision
	var co string
	err := row.Scan(&d.ID, &d.MeetingID, &d.AgendaItemID, &d.Text, &d.AreaID, &d.LeadUnitID, &co, &d.DueOn, &d.Version, &d.CreatedAt, &d.UpdatedAt)
	if err != nil {
		return d, err
	}
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	d.CoUnitIDs = []int64{}
	for f := range strings.SplitSeq(co, ",") {
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return d, err
		}
		d.CoUnitIDs = append(d.CoUnitIDs, id)
	}
	return d, nil
}

func joinIDs(list []int64) string {
	s := make([]string, len(list))
	for i, id := range list {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// DecisionFilter narrows a list of decisions. Zero fields do not filter.
type DecisionFilter struct {
	MeetingID   int64          `json:"meeting_id"`
	LeadUnitID  int64          `json:"lead_unit_id"`
	AreaID      int64          `json:"area_id"`
	HeldBefore  clock.Date     `json:"held_before"` // decided at meetings held before this day
	CommitteeID int64          `json:"committee_id"`
	Status      DecisionStatus `json:"status"`
	// SameDayBefore also takes, with HeldBefore, the meetings held that day
	// and recorded before this meeting: a brief's "earlier meetings".
	SameDayBefore int64 `json:"-"`
}

// taskLine is what a list of decisions shows of one of their tasks.
type taskLine struct {
	decision   int64
	id         int64
	code       string
	title      string
	leadUnitID int64
	light      plans.Light
	progress   float64
	dueOn      clock.Date
}

// decisions lists decisions with their tasks and derived status, in the order
// of their meetings and agenda, and the lines of their tasks by task id. Both
// come from two queries, however many decisions there are.
func decisions(ctx context.Context, q db.Querier, f DecisionFilter) ([]Decision, map[int64]taskLine, error) {
	held := f.HeldBefore
	if held.IsZero() {
		held = clock.DateOf(9999, 12, 31)
	}
	const where = `($1 = 0 OR d.meeting_id = $1) AND ($2 = 0 OR d.lead_unit_id = $2) AND ($3 = 0 OR d.area_id = $3)
		AND (m.held_on < $4 OR m.held_on = $4 AND m.id < $6) AND ($5 = 0 OR m.committee_id = $5)`
	args := []any{f.MeetingID, f.LeadUnitID, f.AreaID, held, f.CommitteeID, f.SameDayBefore}
	list, err := db.All(ctx, q, scanDecision, `SELECT `+decisionColumns+` FROM decisions d
		JOIN meetings m ON m.id = d.meeting_id JOIN agenda_items a ON a.id = d.agenda_item_id
		WHERE `+where+` ORDER BY m.held_on, m.id, a.position, d.id`, args...)
	if err != nil {
		return nil, nil, err
	}
	links, err := db.All(ctx, q, func(row db.Scanner) (taskLine, error) {
		var l taskLine
		return l, row.Scan(&l.decision, &l.id, &l.code, &l.title, &l.leadUnitID, &l.light, &l.progress, &l.dueOn)
	}, `SELECT dt.decision_id, t.id, t.code, t.title, t.lead_unit_id, t.light, t.progress, t.due_on
		FROM decision_tasks dt JOIN tasks t ON t.id = dt.task_id JOIN decisions d ON d.id = dt.decision_id JOIN meetings m ON m.id = d.meeting_id
		WHERE `+where+` ORDER BY t.id`, args...)
	if err != nil {
		return nil, nil, err
	}
	byDecision, lines := map[int64][]taskLine{}, map[int64]taskLine{}
	for _, l := range links {
		byDecision[l.decision] = append(byDecision[l.decision], l)
		lines[l.id] = l
	}
	out := list[:0]
	for _, d := range list {
		var lights []plans.Light
		d.TaskIDs = []int64{}
		for _, l := range byDecision[d.ID] {
			d.TaskIDs = append(d.TaskIDs, l.id)
			lights = append(lights, l.light)
		}
		d.Status = Derive(lights)
		if f.Status == "" || f.Status == d.Status {
			out = append(out, d)
		}
	}
	return out, lines, nil
}

// Derive is a decision's status from its tasks' lights: overdue if any task
// is red, at risk if any is yellow, closed when every live task is closed,
// completed when every live one is done, cancelled when none is live.
func Derive(lights []plans.Light) DecisionStatus {
	if len(lights) == 0 {
		return Unassigned
	}
	live, closed, done := 0, 0, 0
	status := InProgress
	for _, l := range lights {
		switch l {
		case plans.Cancelled:
			continue
		case plans.Red:
			status = Overdue
		case plans.Yellow:
			if status != Overdue {
				status = AtRisk
			}
		case plans.Closed:
			closed++
			done++
		case plans.DoneOnTime, plans.DoneLate:
			done++
		}
		live++
	}
	switch {
	case live == 0:
		return Dropped
	case status != InProgress:
		return status
	case closed == live:
		return Done
	case done == live:
		return Completed
	}
	return InProgress
}

func getDecision(ctx context.Context, q db.Querier, id int64) (Decision, error) {
	d, err := scanDecision(q.QueryRowContext(ctx, `SELECT `+decisionColumns+` FROM decisions d WHERE d.id = $1`, id))
	if err != nil {
		return d, errs.NotFoundIf(err, "decision")
	}
	list, _, err := decisions(ctx, q, DecisionFilter{MeetingID: d.MeetingID})
	for _, x := range list {
		if x.ID == id {
			return x, err
		}
	}
	return d, err
}

// Decision returns one decision with its tasks and status.
func (s *Service) Decision(ctx context.Context, id int64) (Decision, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return Decision{}, err
	}
	return getDecision(ctx, s.DB.R, id)
}

// Decisions lists decisions with their tasks and status.
func (s *Service) Decisions(ctx context.Context, f DecisionFilter) ([]Decision, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return nil, err
	}
	list, _, err := decisions(ctx, s.DB.R, f)
	return list, err
}

// SaveDecision records a decision (id 0) at a meeting that has been held, or
// replaces one if version is current. A closed meeting's decisions change
// only through a correction of the meeting.
func (s *Service) SaveDecision(ctx context.Context, meetingID, id int64, in DecisionInput, version int) (Decision, error) {
	if err := access.FromContext(ctx).Check(access.ManageMeetings, 0); err != nil {
		return Decision{}, err
	}
	var after Decision
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		if err := s.lockMeeting(ctx, tx, meetingID); err != nil {
			return err
		}
		m, err := getMeeting(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		if m.Status != Held {
			return errs.New(errs.Conflict, "error.decision.meeting_not_held", string(m.Status))
		}
		if err := in.validate(ctx, tx, m); err != nil {
			return err
		}
		now := s.now()
		var before any
		if id == 0 {
			err = tx.QueryRowContext(ctx, `INSERT INTO decisions (meeting_id, agenda_item_id, text, area_id, lead_unit_id, co_unit_ids, due_on, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING id`, meetingID, in.AgendaItemID, in.Text, in.AreaID, in.LeadUnitID, joinIDs(in.CoUnitIDs), in.DueOn, now).Scan(&id)
			if err != nil {
				return err
			}
		} else {
			cur, err := getDecision(ctx, tx, id)
			if err != nil {
				return err
			}
			if cur.MeetingID != meetingID {
				return errs.New(errs.NotFound, "error.not_found", "decision")
			}
			before = cur
			res, err := tx.ExecContext(ctx, `UPDATE decisions SET agenda_item_id=$1, text=$2, area_id=$3, lead_unit_id=$4, co_unit_ids=$5, due_on=$6, updated_at=$7,
				version=version+1 WHERE id=$8 AND version=$9`, in.AgendaItemID, in.Text, in.AreaID, in.LeadUnitID, joinIDs(in.CoUnitIDs), in.DueOn, now, id, version)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.StaleVersion(cur)
			}
		}
		if after, err = getDecision(ctx, tx, id); err != nil {
			return err
		}
		action := "decision.create"
		if before != nil {
			action = "decision.update"
		}
		return audit.Record(ctx, tx, audit.Change{Action: action, ObjectType: "decision", ObjectID: id, Before: before, After: after})
	})
	return after, err
}
