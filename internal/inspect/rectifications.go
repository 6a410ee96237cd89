package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/evidence"
	"concord/internal/notify"
	"concord/internal/timeline"
)

// RectStatus is where a rectification item is: open until the unit
// responds, responded until an inspector verifies, then closed, or returned
// to the unit with a reason to respond again.
type RectStatus string

const (
	Open      RectStatus = "open"
	Responded RectStatus = "responded"
	Returned  RectStatus = "returned"
	Closed    RectStatus = "closed"
)

// SourceFinding is the source kind of items opened from a finding; the
// reference is the finding's id. Other capabilities name their own kinds.
const SourceFinding = "finding"

// Rectification is a rectification item (整改).
type Rectification struct {
	ID           int64       `json:"id"`
	SourceKind   string      `json:"source_kind"`
	SourceRef    string      `json:"source_ref"`
	UnitID       int64       `json:"unit_id"`
	Requirement  string      `json:"requirement"`
	DueOn        clock.Date  `json:"due_on"`
	Status       RectStatus  `json:"status"`
	Response     string      `json:"response"`
	RespondedBy  string      `json:"responded_by"`
	RespondedAt  *time.Time  `json:"responded_at"`
	ReturnReason string      `json:"return_reason"`
	VerifiedBy   string      `json:"verified_by"`
	ClosedOn     *clock.Date `json:"closed_on"`
	ChaseLevel   int         `json:"chase_level"`
	CreatedBy    string      `json:"created_by"`
	Version      int         `json:"version"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
	// Water is the monitoring source of an item the water accountability
	// loop opened (SourceKind "water"); nil for every other item.
	Water *WaterSource `json:"water,omitempty"`
}

// OnTime reports whether the item was closed by its deadline.
func (r Rectification) OnTime() bool { return r.ClosedOn != nil && !r.ClosedOn.After(r.DueOn) }

// Overdue reports whether the item still waits for its unit after its
// deadline (a response awaiting verification is not the unit's delay).
func (r Rectification) Overdue(today clock.Date) bool {
	return (r.Status == Open || r.Status == Returned) && r.DueOn.Before(today)
}

// RectInput opens a rectification item.
type RectInput struct {
	SourceKind  string     `json:"source_kind"`
	SourceRef   string     `json:"source_ref"`
	UnitID      int64      `json:"unit_id"`
	Requirement string     `json:"requirement"`
	DueOn       clock.Date `json:"due_on"`
}

const rectColumns = `id, source_kind, source_ref, unit_id, requirement, due_on, status, response, responded_by, responded_at, return_reason, verified_by, closed_on, chase_level, created_by, version, created_at, updated_at,
	water_station_id, water_months, water_loop, water_regained`

func scanRect(row db.Scanner) (Rectification, error) {
	var r Rectification
	var station *int64
	var w WaterSource
	var months string
	err := row.Scan(&r.ID, &r.SourceKind, &r.SourceRef, &r.UnitID, &r.Requirement, &r.DueOn, &r.Status, &r.Response, &r.RespondedBy, &r.RespondedAt,
		&r.ReturnReason, &r.VerifiedBy, &r.ClosedOn, &r.ChaseLevel, &r.CreatedBy, &r.Version, &r.CreatedAt, &r.UpdatedAt,
		&station, &months, &w.Loop, &w.Regained)
	if station != nil {
		w.StationID, w.Months = *station, splitMonths(months)
		r.Water = &w
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if r.RespondedAt != nil {
		t := r.RespondedAt.UTC()
		r.RespondedAt = &t
	}
	return r, err
}

func getRectification(ctx context.Context, q db.Querier, id int64) (Rectification, error) {
	r, err := scanRect(q.QueryRowContext(ctx, `SELECT `+rectColumns+` FROM rectifications WHERE id = $1`, id))
	return r, errs.NotFoundIf(err, "rectification")
}

// Rectification returns one item.
func (s *Service) Rectification(ctx context.Context, id int64) (Rectification, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return Rectification{}, err
	}
	return getRectification(ctx, s.DB.R, id)
}

// RectFilter narrows a list of items; zero fields match everything.
type RectFilter struct {
	UnitID     int64
	Status     RectStatus
	OpenOnly   bool // not closed
	SourceKind string
	SourceRef  string
	// DueFrom and DueTo (inclusive) select items by deadline, e.g. a
	// scorecard period.
	DueFrom, DueTo clock.Date
}

// Rectifications lists items, earliest deadline first. With DueFrom/DueTo
// and OnTime it gives a unit's on-time closure for a period.
func (s *Service) Rectifications(ctx context.Context, f RectFilter) ([]Rectification, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return nil, err
	}
	var w db.Where
	add := w.Add
	if f.UnitID != 0 {
		add("unit_id = ?", f.UnitID)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.OpenOnly {
		w.Add("status <> 'closed'")
	}
	if f.SourceKind != "" {
		add("source_kind = ?", f.SourceKind)
	}
	if f.SourceRef != "" {
		add("source_ref = ?", f.SourceRef)
	}
	if !f.DueFrom.IsZero() {
		add("due_on >= ?", f.DueFrom)
	}
	if !f.DueTo.IsZero() {
		add("due_on <= ?", f.DueTo)
	}
	return db.All(ctx, s.DB.R, scanRect, `SELECT `+rectColumns+` FROM rectifications`+w.SQL()+` ORDER BY due_on, id`, w.Args...)
}

// OpenRectification opens an item. From a finding, the item's unit is the
// finding's; other sources name themselves with a kind and a reference.
func (s *Service) OpenRectification(ctx context.Context, in RectInput) (Rectification, error) {
	if err := access.FromContext(ctx).Check(access.EditInspections, 0); err != nil {
		return Rectification{}, err
	}
	var r Rectification
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		var err error
		r, err = s.open(ctx, tx, in, nil)
		return err
	})
	return r, err
}

// open checks and opens an item in tx, with its water source if any, and
// tells the unit; the caller has checked the actor may.
func (s *Service) open(ctx context.Context, tx *sql.Tx, in RectInput, water *WaterSource) (Rectification, error) {
	var v errs.Validation
	v.Text("source_kind", in.SourceKind, true, 40)
	v.Text("source_ref", in.SourceRef, true, 200)
	v.Text("requirement", in.Requirement, true, 4000)
	switch {
	case in.DueOn.IsZero():
		v.Add("due_on", "error.required")
	case in.DueOn.Before(s.today()):
		v.Add("due_on", "error.rectification.due_past")
	}
	if in.SourceKind == SourceFinding {
		id, err := strconv.ParseInt(in.SourceRef, 10, 64)
		if err != nil {
			v.Add("source_ref", "error.rectification.finding_unknown")
			return Rectification{}, v.Err()
		}
		f, err := getFinding(ctx, tx, id)
		if errs.Is(err, errs.NotFound) {
			v.Add("source_ref", "error.rectification.finding_unknown")
			return Rectification{}, v.Err()
		} else if err != nil {
			return Rectification{}, err
		}
		if in.UnitID == 0 {
			in.UnitID = f.UnitID
		} else if in.UnitID != f.UnitID {
			v.Add("unit_id", "error.rectification.finding_unit")
		}
	}
	ok, err := exists(ctx, tx, `SELECT count(*) FROM units WHERE id = $1 AND active`, in.UnitID)
	if err != nil {
		return Rectification{}, err
	}
	if !ok {
		v.Add("unit_id", "error.inspection.unit_unknown", in.UnitID)
	}
	if err := v.Err(); err != nil {
		return Rectification{}, err
	}
	var station *int64
	var months, loop string
	if water != nil {
		station, months, loop = &water.StationID, strings.Join(water.Months, ","), water.Loop
	}
	now, by := s.now(), access.FromContext(ctx).LoginOrSystem()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO rectifications (source_kind, source_ref, unit_id, requirement, due_on, created_by, created_at, updated_at,
		water_station_id, water_months, water_loop)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$7,$8,$9,$10) RETURNING id`, in.SourceKind, in.SourceRef, in.UnitID, in.Requirement, in.DueOn, by, now,
		station, months, loop).Scan(&id)
	if err != nil {
		return Rectification{}, err
	}
	r, err := getRectification(ctx, tx, id)
	if err != nil {
		return r, err
	}
	if err := s.step(ctx, tx, r, "opened", in.Requirement); err != nil {
		return r, err
	}
	to := notify.Audience{}
	if err := to.UnitStaff(ctx, tx, r.UnitID); err != nil {
		return r, err
	}
	if err := to.Role(ctx, tx, access.UnitLeader, r.UnitID); err != nil {
		return r, err
	}
	if err := s.tell(ctx, tx, to, r, "rectification.opened", fmt.Sprintf("rectification.opened:%d", r.ID)); err != nil {
		return r, err
	}
	return r, audit.Record(ctx, tx, audit.Change{Action: "rectification.create", ObjectType: "rectification", ObjectID: id, After: r})
}

// Respond is the unit's answer: what it did, with the evidence already
// added. Marking an item done without evidence is refused.
func (s *Service) Respond(ctx context.Context, id int64, response string, version int) (Rectification, error) {
	return s.change(ctx, id, version, "rectification.respond", func(tx *sql.Tx, r Rectification) error {
		if err := access.FromContext(ctx).Check(access.RespondRectification, r.UnitID); err != nil {
			return err
		}
		if r.Status != Open && r.Status != Returned {
			return errs.New(errs.Conflict, "error.rectification.transition", string(r.Status), string(Responded))
		}
		var v errs.Validation
		v.Text("response", response, true, 8000)
		n, err := evidence.Count(ctx, tx, "rectification", r.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			v.Add("evidence", "error.rectification.no_evidence")
		}
		if err := v.Err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE rectifications SET status='responded', response=$1, responded_by=$2, responded_at=$3, updated_at=$3 WHERE id=$4`,
			response, access.FromContext(ctx).LoginOrSystem(), s.now(), id)
		if err != nil {
			return err
		}
		to := notify.Audience{}
		if err := s.verifiers(ctx, tx, r, to); err != nil {
			return err
		}
		if err := s.tell(ctx, tx, to, r, "rectification.responded", fmt.Sprintf("rectification.responded:%d:%d", r.ID, r.Version)); err != nil {
			return err
		}
		return s.step(ctx, tx, r, "responded", response)
	})
}

// Verify is the inspector's verdict on a response: accept closes the item,
// otherwise it goes back to the unit with the reason.
func (s *Service) Verify(ctx context.Context, id int64, accept bool, reason string, version int) (Rectification, error) {
	return s.change(ctx, id, version, "rectification.verify", func(tx *sql.Tx, r Rectification) error {
		if err := access.FromContext(ctx).Check(access.EditInspections, 0); err != nil {
			return err
		}
		next := Closed
		if !accept {
			next = Returned
		}
		if r.Status != Responded {
			return errs.New(errs.Conflict, "error.rectification.transition", string(r.Status), string(next))
		}
		by, now := access.FromContext(ctx).LoginOrSystem(), s.now()
		var err error
		if accept {
			_, err = tx.ExecContext(ctx, `UPDATE rectifications SET status='closed', verified_by=$1, closed_on=$2, updated_at=$3 WHERE id=$4`, by, clock.DayOf(now), now, id)
		} else {
			var v errs.Validation
			v.Text("reason", reason, true, 2000)
			if err := v.Err(); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE rectifications SET status='returned', return_reason=$1, verified_by=$2, updated_at=$3 WHERE id=$4`, reason, by, now, id)
		}
		if err != nil {
			return err
		}
		to := notify.Audience{}
		if err := to.Login(ctx, tx, r.RespondedBy); err != nil {
			return err
		}
		if err := to.UnitStaff(ctx, tx, r.UnitID); err != nil {
			return err
		}
		if err := s.tell(ctx, tx, to, r, "rectification."+string(next), fmt.Sprintf("rectification.%s:%d:%d", next, r.ID, r.Version), reason); err != nil {
			return err
		}
		return s.step(ctx, tx, r, string(next), reason)
	})
}

func (s *Service) roundOf(ctx context.Context, q db.Querier, r Rectification) (Round, error) {
	id, _ := strconv.ParseInt(r.SourceRef, 10, 64)
	f, err := getFinding(ctx, q, id)
	if err != nil {
		return Round{}, err
	}
	return getRound(ctx, q, f.InspectionID)
}

// verifiers adds who verifies a response: the round's inspectors for an
// item from a finding, the office for any item.
func (s *Service) verifiers(ctx context.Context, q db.Querier, r Rectification, to notify.Audience) error {
	if r.SourceKind == SourceFinding {
		round, err := s.roundOf(ctx, q, r)
		if err != nil {
			return err
		}
		to.Add(round.Inspectors...)
	}
	return to.Role(ctx, q, access.Coordinator, 0)
}

// change claims an item's version, applies fn and records before and after.
func (s *Service) change(ctx context.Context, id int64, version int, action string, fn func(*sql.Tx, Rectification) error) (Rectification, error) {
	var after Rectification
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		var err error
		after, err = s.changeTx(ctx, tx, id, version, action, fn)
		return err
	})
	return after, err
}

// anyVersion lets changeTx apply to whatever version is stored: for work
// no user started, which holds the item's lock instead.
const anyVersion = -1

// changeTx is change inside tx.
func (s *Service) changeTx(ctx context.Context, tx *sql.Tx, id int64, version int, action string, fn func(*sql.Tx, Rectification) error) (Rectification, error) {
	if err := s.DB.Serialize(ctx, tx, "rectification:"+itoa(id)); err != nil {
		return Rectification{}, err
	}
	before, err := getRectification(ctx, tx, id)
	if err != nil {
		return before, err
	}
	if version != anyVersion && before.Version != version {
		return before, errs.StaleVersion(before)
	}
	if err := fn(tx, before); err != nil {
		return before, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE rectifications SET version = version + 1 WHERE id = $1`, id); err != nil {
		return before, err
	}
	after, err := getRectification(ctx, tx, id)
	if err != nil {
		return after, err
	}
	return after, audit.Record(ctx, tx, audit.Change{Action: action, ObjectType: "rectification", ObjectID: id, Before: before, After: after})
}

func (s *Service) step(ctx context.Context, q db.Querier, r Rectification, kind, note string) error {
	return timeline.Add(ctx, q, timeline.Event{ObjectType: "rectification", ObjectID: r.ID, Kind: kind, Note: note,
		Actor: access.FromContext(ctx).LoginOrSystem(), At: s.now()})
}

// Timeline lists an item's steps.
func (s *Service) Timeline(ctx context.Context, id int64) ([]timeline.Event, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return nil, err
	}
	return timeline.List(ctx, s.DB.R, "rectification", id)
}

// tell sends the notice "notice."+kind about r; its arguments are the item's
// number, requirement, deadline and an optional note.
func (s *Service) tell(ctx context.Context, q db.Querier, to notify.Audience, r Rectification, kind, dedupe string, note ...string) error {
	args := []string{itoa(r.ID), clip(r.Requirement), r.DueOn.String(), strings.Join(note, "")}
	return to.Send(ctx, q, s.now(), notify.Message{Kind: kind, SubjectKey: "notice." + kind, Args: args,
		Link: fmt.Sprintf("/rectifications/%d", r.ID), ObjectType: "rectification", ObjectID: itoa(r.ID), Dedupe: dedupe})
}

// clip shortens a text for a notice's subject.
func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Owner is the unit that owns a rectification item, for the web layer's
// route scopes; it checks no permission.
func (s *Service) Owner(ctx context.Context, id int64) (int64, error) {
	var unit int64
	err := s.DB.R.QueryRowContext(ctx, `SELECT unit_id FROM rectifications WHERE id = $1`, id).Scan(&unit)
	return unit, errs.NotFoundIf(err, "rectification")
}
