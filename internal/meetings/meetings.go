// Package meetings keeps the record of joint meetings (联席会议): who came,
// the agenda, documents and minutes, the decisions (议定事项) taken on each
// agenda item and the plan tasks they became, agreements signed, the
// specialist committees (专业委员会), and the brief for the next meeting.
package meetings

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/changes"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/plans"
)

// Service is the meetings' store. Decisions become tasks through Plans.
type Service struct {
	DB     *db.DB
	Clock  clock.Clock
	Plans  *plans.Service
	writes changes.Counter
}

// Changes counts the writes this service has committed, for caches of what
// it reads.
func (s *Service) Changes() uint64 { return s.writes.N() }

func (s *Service) now() time.Time { return s.Clock.Now() }

// Kind is what sort of meeting it is.
type Kind string

const (
	KindLeaders     Kind = "leaders"     // leaders' joint meeting
	KindOffice      Kind = "office"      // coordination office meeting
	KindCommittee   Kind = "committee"   // specialist committee meeting
	KindEnvironment Kind = "environment" // environmental joint meeting
	KindOther       Kind = "other"
)

// Kinds lists the meeting kinds in display order.
var Kinds = []Kind{KindLeaders, KindOffice, KindCommittee, KindEnvironment, KindOther}

// Status is where a meeting is: planned → held → closed. A closed meeting's
// record changes only by a correction, which keeps the previous record.
type Status string

const (
	Planned Status = "planned"
	Held    Status = "held"
	Closed  Status = "closed"
)

// Role is an attendee's part in a meeting.
type Role string

const (
	RoleHost     Role = "host"
	RoleSpeaker  Role = "speaker"
	RoleAttendee Role = "attendee"
)

// Roles lists the attendee roles in display order.
var Roles = []Role{RoleHost, RoleSpeaker, RoleAttendee}

// Attendee is a unit, and the person who came for it, at a meeting.
type Attendee struct {
	UnitID int64  `json:"unit_id"`
	Person string `json:"person"`
	Role   Role   `json:"role"`
}

// AgendaItem is one item of a meeting's agenda. Decisions hang off it.
type AgendaItem struct {
	ID              int64  `json:"id"` // 0 in an input: a new item
	Title           string `json:"title"`
	PresenterUnitID int64  `json:"presenter_unit_id"` // 0: none
	Notes           string `json:"notes"`
}

// Meeting is one joint meeting with its attendees and agenda.
type Meeting struct {
	ID          int64        `json:"id"`
	Kind        Kind         `json:"kind"`
	Title       string       `json:"title"`
	HeldOn      clock.Date   `json:"held_on"`
	Place       string       `json:"place"`
	HostUnitID  int64        `json:"host_unit_id"`
	CommitteeID *int64       `json:"committee_id"`
	Status      Status       `json:"status"`
	Minutes     string       `json:"minutes"`
	Revision    int          `json:"revision"` // corrections made after closing
	Attendees   []Attendee   `json:"attendees"`
	Agenda      []AgendaItem `json:"agenda"`
	Version     int          `json:"version"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// Input is what a caller sets on a meeting. Agenda items keep their id; an
// item left out is removed, unless decisions were taken on it.
type Input struct {
	Kind        Kind         `json:"kind"`
	Title       string       `json:"title"`
	HeldOn      clock.Date   `json:"held_on"`
	Place       string       `json:"place"`
	HostUnitID  int64        `json:"host_unit_id"`
	CommitteeID *int64       `json:"committee_id"`
	Minutes     string       `json:"minutes"`
	Attendees   []Attendee   `json:"attendees"`
	Agenda      []AgendaItem `json:"agenda"`
}

// Revision is a closed meeting's record as it was before a correction.
type Revision struct {
	Number     int       `json:"number"`
	Reason     string    `json:"reason"`
	Previous   Meeting   `json:"previous"`
	RecordedBy string    `json:"recorded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

const meetingColumns = `id, kind, title, held_on, place, host_unit_id, committee_id, status, minutes, revision, version, created_at, updated_at`

func scanMeeting(row db.Scanner) (Meeting, error) {
	var m Meeting
	err := row.Scan(&m.ID, &m.Kind, &m.Title, &m.HeldOn, &m.Place, &m.HostUnitID, &m.CommitteeID, &m.Status, &m.Minutes, &m.Revision, &m.Version, &m.CreatedAt, &m.UpdatedAt)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, err
}

// getMeeting reads a meeting with its attendees and agenda.
func getMeeting(ctx context.Context, q db.Querier, id int64) (Meeting, error) {
	m, err := scanMeeting(q.QueryRowContext(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE id = $1`, id))
	if err != nil {
		return m, errs.NotFoundIf(err, "meeting")
	}
	if m.Attendees, err = db.All(ctx, q, func(row db.Scanner) (Attendee, error) {
		var a Attendee
		return a, row.Scan(&a.UnitID, &a.Person, &a.Role)
	}, `SELECT unit_id, person, role FROM meeting_attendees WHERE meeting_id = $1 ORDER BY position`, id); err != nil {
		return m, err
	}
	m.Agenda, err = db.All(ctx, q, func(row db.Scanner) (AgendaItem, error) {
		var a AgendaItem
		var presenter sql.NullInt64
		err := row.Scan(&a.ID, &a.Title, &presenter, &a.Notes)
		a.PresenterUnitID = presenter.Int64
		return a, err
	}, `SELECT id, title, presenter_unit_id, notes FROM agenda_items WHERE meeting_id = $1 ORDER BY position`, id)
	return m, err
}

// Meeting returns one meeting.
func (s *Service) Meeting(ctx context.Context, id int64) (Meeting, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return Meeting{}, err
	}
	return getMeeting(ctx, s.DB.R, id)
}

// Filter narrows the list of meetings. Zero fields do not filter.
type Filter struct {
	CommitteeID int64  `json:"committee_id"`
	Kind        Kind   `json:"kind"`
	Status      Status `json:"status"`
}

// Meetings lists meetings, the latest first, without attendees and agenda.
func (s *Service) Meetings(ctx context.Context, f Filter) ([]Meeting, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanMeeting, `SELECT `+meetingColumns+` FROM meetings
		WHERE ($1 = 0 OR committee_id = $1) AND ($2 = '' OR kind = $2) AND ($3 = '' OR status = $3)
		ORDER BY held_on DESC, id DESC`, f.CommitteeID, string(f.Kind), string(f.Status))
}

func (in *Input) validate(ctx context.Context, q db.Querier) error {
	var v errs.Validation
	if !slices.Contains(Kinds, in.Kind) {
		v.Add("kind", "error.choice")
	}
	v.Text("title", in.Title, true, 300)
	v.Text("place", in.Place, false, 200)
	v.Text("minutes", in.Minutes, false, 100000)
	if in.HeldOn.IsZero() {
		v.Add("held_on", "error.required")
	}
	if err := checkUnit(ctx, q, &v, "host_unit_id", in.HostUnitID); err != nil {
		return err
	}
	if in.CommitteeID != nil {
		if _, err := getCommittee(ctx, q, *in.CommitteeID); errs.Is(err, errs.NotFound) {
			v.Add("committee_id", "error.meeting.committee_unknown")
		} else if err != nil {
			return err
		}
	}
	if in.Kind == KindCommittee && in.CommitteeID == nil {
		v.Add("committee_id", "error.required")
	}
	// A unit may send several people, but nobody comes twice.
	type who struct {
		unit   int64
		person string
	}
	seen := map[who]bool{}
	for i, a := range in.Attendees {
		f := "attendees." + itoa(i)
		if err := checkUnit(ctx, q, &v, f+".unit_id", a.UnitID); err != nil {
			return err
		}
		v.Text(f+".person", a.Person, false, 200)
		if !slices.Contains(Roles, a.Role) {
			v.Add(f+".role", "error.choice")
		}
		if k := (who{a.UnitID, a.Person}); seen[k] {
			v.Add(f+".unit_id", "error.meeting.attendee_twice")
		} else {
			seen[k] = true
		}
	}
	for i, a := range in.Agenda {
		f := "agenda." + itoa(i)
		v.Text(f+".title", a.Title, true, 300)
		v.Text(f+".notes", a.Notes, false, 8000)
		if a.PresenterUnitID != 0 {
			if err := checkUnit(ctx, q, &v, f+".presenter_unit_id", a.PresenterUnitID); err != nil {
				return err
			}
		}
	}
	return v.Err()
}

// checkUnit requires id to be an active member unit.
func checkUnit(ctx context.Context, q db.Querier, v *errs.Validation, field string, id int64) error {
	if id == 0 {
		v.Add(field, "error.required")
		return nil
	}
	var active bool
	err := q.QueryRowContext(ctx, `SELECT active FROM units WHERE id = $1`, id).Scan(&active)
	switch {
	case err == sql.ErrNoRows:
		v.Add(field, "error.unit.unknown")
	case err != nil:
		return err
	case !active:
		v.Add(field, "error.unit.retired")
	}
	return nil
}

// CreateMeeting records a planned meeting.
func (s *Service) CreateMeeting(ctx context.Context, in Input) (Meeting, error) {
	if err := access.FromContext(ctx).Check(access.ManageMeetings, 0); err != nil {
		return Meeting{}, err
	}
	var m Meeting
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		if err := in.validate(ctx, tx); err != nil {
			return err
		}
		now := s.now()
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO meetings (kind, title, held_on, place, host_unit_id, committee_id, status, minutes, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,'planned',$7,$8,$8) RETURNING id`,
			in.Kind, in.Title, in.HeldOn, in.Place, in.HostUnitID, in.CommitteeID, in.Minutes, now).Scan(&id); err != nil {
			return err
		}
		if err := writeParts(ctx, tx, id, in); err != nil {
			return err
		}
		var err error
		if m, err = getMeeting(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "meeting.create", ObjectType: "meeting", ObjectID: id, After: m})
	})
	return m, err
}

// UpdateMeeting replaces a meeting's record if version is current and the
// meeting is not closed.
func (s *Service) UpdateMeeting(ctx context.Context, id int64, in Input, version int) (Meeting, error) {
	return s.rewrite(ctx, id, version, "meeting.update", func(ctx context.Context, tx *sql.Tx, before Meeting) error {
		if before.Status == Closed {
			return errs.New(errs.Conflict, "error.meeting.closed")
		}
		return s.write(ctx, tx, id, in)
	})
}

// CorrectMeeting changes a closed meeting's record, keeping the record as it
// was as a numbered revision with the reason.
func (s *Service) CorrectMeeting(ctx context.Context, id int64, in Input, reason string, version int) (Meeting, error) {
	return s.rewrite(ctx, id, version, "meeting.correct", func(ctx context.Context, tx *sql.Tx, before Meeting) error {
		var v errs.Validation
		v.Text("reason", reason, true, 1000)
		if err := v.Err(); err != nil {
			return err
		}
		if before.Status != Closed {
			return errs.New(errs.Conflict, "error.meeting.not_closed")
		}
		prev, err := json.Marshal(before)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_revisions (meeting_id, number, reason, previous, recorded_by, created_at) VALUES ($1,$2,$3,$4,$5,$6)`,
			id, before.Revision+1, reason, string(prev), access.FromContext(ctx).LoginOrSystem(), s.now()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET revision = revision + 1 WHERE id = $1`, id); err != nil {
			return err
		}
		return s.write(ctx, tx, id, in)
	})
}

// SetStatus moves a meeting planned → held → closed. Closing needs minutes.
func (s *Service) SetStatus(ctx context.Context, id int64, to Status, version int) (Meeting, error) {
	return s.rewrite(ctx, id, version, "meeting.status", func(ctx context.Context, tx *sql.Tx, before Meeting) error {
		switch {
		case before.Status == Planned && to == Held:
		case before.Status == Held && to == Closed:
			if before.Minutes == "" {
				var v errs.Validation
				v.Add("minutes", "error.meeting.minutes_required")
				return v.Err()
			}
		default:
			return errs.New(errs.Conflict, "error.meeting.transition", string(before.Status), string(to))
		}
		_, err := tx.ExecContext(ctx, `UPDATE meetings SET status = $1, updated_at = $2 WHERE id = $3`, to, s.now(), id)
		return err
	})
}

// Revisions lists a closed meeting's earlier records, the first first.
func (s *Service) Revisions(ctx context.Context, id int64) ([]Revision, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, func(row db.Scanner) (Revision, error) {
		var r Revision
		var prev string
		if err := row.Scan(&r.Number, &r.Reason, &prev, &r.RecordedBy, &r.CreatedAt); err != nil {
			return r, err
		}
		r.CreatedAt = r.CreatedAt.UTC()
		return r, json.Unmarshal([]byte(prev), &r.Previous)
	}, `SELECT number, reason, previous, recorded_by, created_at FROM meeting_revisions WHERE meeting_id = $1 ORDER BY number`, id)
}

// rewrite claims the meeting's version, applies change and records it with
// the meeting before and after.
func (s *Service) rewrite(ctx context.Context, id int64, version int, action string, change func(context.Context, *sql.Tx, Meeting) error) (Meeting, error) {
	if err := access.FromContext(ctx).Check(access.ManageMeetings, 0); err != nil {
		return Meeting{}, err
	}
	var after Meeting
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		if err := s.lockMeeting(ctx, tx, id); err != nil {
			return err
		}
		before, err := claimMeeting(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if err := change(ctx, tx, before); err != nil {
			return err
		}
		if after, err = getMeeting(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: action, ObjectType: "meeting", ObjectID: id, Before: before, After: after})
	})
	return after, err
}

// lockMeeting makes the writers of one meeting and of its decisions and
// documents run one at a time, so that nothing is added to a meeting while
// it is being closed.
func (s *Service) lockMeeting(ctx context.Context, tx *sql.Tx, id int64) error {
	return s.DB.Serialize(ctx, tx, "meeting:"+strconv.FormatInt(id, 10))
}

// claimMeeting takes the meeting's next version for this transaction, or
// says the caller's copy is stale. Every change to a meeting or its
// decisions claims it, so two edits never interleave.
func claimMeeting(ctx context.Context, tx *sql.Tx, id int64, version int) (Meeting, error) {
	before, err := getMeeting(ctx, tx, id)
	if err != nil {
		return Meeting{}, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE meetings SET version = version + 1 WHERE id = $1 AND version = $2`, id, version)
	if err != nil {
		return Meeting{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Meeting{}, errs.StaleVersion(before)
	}
	return before, nil
}

// write replaces a meeting's fields, attendees and agenda.
func (s *Service) write(ctx context.Context, tx *sql.Tx, id int64, in Input) error {
	if err := in.validate(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meetings SET kind=$1, title=$2, held_on=$3, place=$4, host_unit_id=$5, committee_id=$6, minutes=$7, updated_at=$8 WHERE id=$9`,
		in.Kind, in.Title, in.HeldOn, in.Place, in.HostUnitID, in.CommitteeID, in.Minutes, s.now(), id); err != nil {
		return err
	}
	return writeParts(ctx, tx, id, in)
}

// writeParts makes the meeting's attendees and agenda those of in. Agenda
// items keep their ids so decisions stay on them; an item with decisions
// cannot be dropped.
func writeParts(ctx context.Context, tx *sql.Tx, id int64, in Input) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM meeting_attendees WHERE meeting_id = $1`, id); err != nil {
		return err
	}
	for i, a := range in.Attendees {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_attendees (meeting_id, unit_id, person, role, position) VALUES ($1,$2,$3,$4,$5)`,
			id, a.UnitID, a.Person, a.Role, i); err != nil {
			return err
		}
	}
	existing, err := db.All(ctx, tx, func(row db.Scanner) (int64, error) {
		var n int64
		return n, row.Scan(&n)
	}, `SELECT id FROM agenda_items WHERE meeting_id = $1`, id)
	if err != nil {
		return err
	}
	var v errs.Validation
	kept := map[int64]bool{}
	for i, a := range in.Agenda {
		presenter := nullID(a.PresenterUnitID)
		if a.ID == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO agenda_items (meeting_id, position, title, presenter_unit_id, notes) VALUES ($1,$2,$3,$4,$5)`,
				id, i, a.Title, presenter, a.Notes); err != nil {
				return err
			}
			continue
		}
		if !slices.Contains(existing, a.ID) {
			v.Add("agenda."+itoa(i)+".id", "error.meeting.agenda_unknown")
			continue
		}
		kept[a.ID] = true
		if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET position=$1, title=$2, presenter_unit_id=$3, notes=$4 WHERE id=$5`,
			i, a.Title, presenter, a.Notes, a.ID); err != nil {
			return err
		}
	}
	for _, item := range existing {
		if kept[item] {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM decisions WHERE agenda_item_id = $1`, item).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			v.Add("agenda", "error.meeting.agenda_has_decisions")
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM agenda_items WHERE id = $1`, item); err != nil {
			return err
		}
	}
	return v.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func itoa(i int) string { return strconv.Itoa(i) }
