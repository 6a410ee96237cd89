package plans

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
)

// RevisionNote says why a plan in force changed and who approved it (the
// leader or meeting that decided, not necessarily the one typing).
type RevisionNote struct {
	Reason     string `json:"reason"`
	ApprovedBy string `json:"approved_by"`
}

func (n RevisionNote) validate(v *errs.Validation) {
	v.Text("revision.reason", n.Reason, true, 1000)
	v.Text("revision.approved_by", n.ApprovedBy, true, 200)
}

// Revision is one numbered change of a plan in force.
type Revision struct {
	ID         int64     `json:"id"`
	PlanID     int64     `json:"plan_id"`
	Number     int       `json:"number"`
	Reason     string    `json:"reason"`
	ApprovedBy string    `json:"approved_by"`
	RecordedBy string    `json:"recorded_by"`
	Changes    []Change  `json:"changes"`
	CreatedAt  time.Time `json:"created_at"`
}

// ChangeKind names what happened to a task between two revisions.
type ChangeKind string

const (
	TaskAdded      ChangeKind = "added"
	TaskRemoved    ChangeKind = "removed"
	TaskReassigned ChangeKind = "reassigned" // lead or co-operating units changed
	DeadlineMoved  ChangeKind = "deadline"
	TaskChanged    ChangeKind = "changed" // title, goal, start or status
)

// Change is one line of a revision's diff.
type Change struct {
	Kind  ChangeKind `json:"kind"`
	Code  string     `json:"code"`
	Title string     `json:"title"`
	Field string     `json:"field,omitempty"`
	From  string     `json:"from,omitempty"`
	To    string     `json:"to,omitempty"`
}

// taskSnap is what a revision remembers of a task.
type taskSnap struct {
	Title  string   `json:"title"`
	Goal   string   `json:"goal"`
	Lead   string   `json:"lead"`
	Co     []string `json:"co"`
	Starts string   `json:"starts"`
	Due    string   `json:"due"`
	Status string   `json:"status"`
}

// snapshot is what a revision remembers of plan planID's tasks, or of
// task taskID alone when it is not 0.
func snapshot(ctx context.Context, q db.Querier, engine db.Engine, planID, taskID int64) (map[string]taskSnap, error) {
	cond, args := `t.plan_id = $1`, []any{planID}
	if taskID != 0 {
		cond, args = `t.id = $1`, []any{taskID}
	}
	rows, err := q.QueryContext(ctx, `SELECT t.code, t.title, g.code, u.code, t.starts_on, t.due_on, t.status,
			COALESCE((SELECT `+groupConcat(engine)+` FROM assignments a JOIN units cu ON cu.id = a.unit_id WHERE a.task_id = t.id AND a.role = 'co' AND a.active), '')
		FROM tasks t JOIN goals g ON g.id = t.goal_id JOIN units u ON u.id = t.lead_unit_id WHERE `+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]taskSnap{}
	for rows.Next() {
		var code, co string
		var t taskSnap
		var starts, due clock.Date
		if err := rows.Scan(&code, &t.Title, &t.Goal, &t.Lead, &starts, &due, &t.Status, &co); err != nil {
			return nil, err
		}
		t.Starts, t.Due = starts.String(), due.String()
		if co != "" {
			t.Co = strings.Split(co, ",")
			slices.Sort(t.Co)
		}
		out[code] = t
	}
	return out, rows.Err()
}

// groupConcat joins co-unit codes with commas in either engine's dialect.
func groupConcat(engine db.Engine) string {
	if engine == db.Postgres {
		return `string_agg(cu.code, ',')`
	}
	return `group_concat(cu.code, ',')`
}

// diff lists what changed from a to b, in task-code order.
func diff(a, b map[string]taskSnap) []Change {
	var out []Change
	codes := make([]string, 0, len(a)+len(b))
	for c := range a {
		codes = append(codes, c)
	}
	for c := range b {
		if _, ok := a[c]; !ok {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	for _, c := range codes {
		x, inA := a[c]
		y, inB := b[c]
		switch {
		case !inA:
			out = append(out, Change{Kind: TaskAdded, Code: c, Title: y.Title, To: y.Lead})
		case !inB:
			out = append(out, Change{Kind: TaskRemoved, Code: c, Title: x.Title, From: x.Lead})
		default:
			if x.Lead != y.Lead {
				out = append(out, Change{Kind: TaskReassigned, Code: c, Title: y.Title, Field: "lead_unit", From: x.Lead, To: y.Lead})
			}
			if !slices.Equal(x.Co, y.Co) {
				out = append(out, Change{Kind: TaskReassigned, Code: c, Title: y.Title, Field: "co_units", From: strings.Join(x.Co, ","), To: strings.Join(y.Co, ",")})
			}
			if x.Due != y.Due {
				out = append(out, Change{Kind: DeadlineMoved, Code: c, Title: y.Title, Field: "due_on", From: x.Due, To: y.Due})
			}
			for _, f := range []struct{ name, from, to string }{
				{"title", x.Title, y.Title}, {"goal", x.Goal, y.Goal}, {"starts_on", x.Starts, y.Starts}, {"status", x.Status, y.Status},
			} {
				if f.from != f.to {
					out = append(out, Change{Kind: TaskChanged, Code: c, Title: y.Title, Field: f.name, From: f.from, To: f.to})
				}
			}
		}
	}
	return out
}

// revise records changes to plan id as its next revision, if the plan is
// in force and anything changed. The caller holds the plan's lock and
// computed the changes from the tasks it touched, so a revision costs what
// the change costs, not what the plan weighs.
func (s *Service) revise(ctx context.Context, tx *sql.Tx, id int64, note RevisionNote, changes []Change) error {
	if len(changes) == 0 {
		return nil
	}
	return s.addRevision(ctx, tx, id, note, changes, nil)
}

// baseline records revision 1 of a plan put in force: no changes, and a
// snapshot of every task as it was then.
func (s *Service) baseline(ctx context.Context, tx *sql.Tx, id int64, note RevisionNote) error {
	snap, err := snapshot(ctx, tx, s.DB.Engine, id, 0)
	if err != nil {
		return err
	}
	return s.addRevision(ctx, tx, id, note, []Change{}, snap)
}

func (s *Service) addRevision(ctx context.Context, tx *sql.Tx, id int64, note RevisionNote, changes []Change, snap map[string]taskSnap) error {
	var status PlanStatus
	var number int
	if err := tx.QueryRowContext(ctx, `SELECT status, revision FROM plans WHERE id = $1`, id).Scan(&status, &number); err != nil {
		return err
	}
	if status != InForce {
		return nil
	}
	ch, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	sn := []byte("{}")
	if snap != nil {
		if sn, err = json.Marshal(snap); err != nil {
			return err
		}
	}
	number++
	if _, err := tx.ExecContext(ctx, `INSERT INTO plan_revisions (plan_id, number, reason, approved_by, recorded_by, changes_json, snapshot_json, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, id, number, note.Reason, note.ApprovedBy, access.FromContext(ctx).LoginOrSystem(), string(ch), string(sn), s.now()); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE plans SET revision = $1 WHERE id = $2`, number, id)
	return err
}

// taskChanges runs write and returns how it changed task id (0: the task
// it makes, whose id write returns).
func (s *Service) taskChanges(ctx context.Context, tx *sql.Tx, planID, id int64, write func() (int64, error)) ([]Change, error) {
	before := map[string]taskSnap{}
	if id != 0 {
		var err error
		if before, err = snapshot(ctx, tx, s.DB.Engine, planID, id); err != nil {
			return nil, err
		}
	}
	id, err := write()
	if err != nil {
		return nil, err
	}
	after, err := snapshot(ctx, tx, s.DB.Engine, planID, id)
	if err != nil {
		return nil, err
	}
	return diff(before, after), nil
}

// Revisions lists plan id's revisions, newest first.
func (s *Service) Revisions(ctx context.Context, id int64) ([]Revision, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, func(row db.Scanner) (Revision, error) {
		var r Revision
		var ch string
		if err := row.Scan(&r.ID, &r.PlanID, &r.Number, &r.Reason, &r.ApprovedBy, &r.RecordedBy, &ch, &r.CreatedAt); err != nil {
			return r, err
		}
		r.CreatedAt = r.CreatedAt.UTC()
		return r, json.Unmarshal([]byte(ch), &r.Changes)
	}, `SELECT id, plan_id, number, reason, approved_by, recorded_by, changes_json, created_at FROM plan_revisions WHERE plan_id = $1 ORDER BY number DESC`, id)
}
