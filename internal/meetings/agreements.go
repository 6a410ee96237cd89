package meetings

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
)

// Agreement is a framework agreement between units, usually signed at a
// meeting, and the plan tasks that carry it out.
type Agreement struct {
	ID        int64      `json:"id"`
	MeetingID *int64     `json:"meeting_id"`
	Title     string     `json:"title"`
	SignedOn  clock.Date `json:"signed_on"`
	Scope     string     `json:"scope"`
	UnitIDs   []int64    `json:"unit_ids"` // the parties
	TaskIDs   []int64    `json:"task_ids"`
	Version   int        `json:"version"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// AgreementInput is what a caller sets on an agreement.
type AgreementInput struct {
	MeetingID *int64     `json:"meeting_id"`
	Title     string     `json:"title"`
	SignedOn  clock.Date `json:"signed_on"`
	Scope     string     `json:"scope"`
	UnitIDs   []int64    `json:"unit_ids"`
	TaskIDs   []int64    `json:"task_ids"`
}

func (in AgreementInput) validate(ctx context.Context, q db.Querier) error {
	var v errs.Validation
	v.Text("title", in.Title, true, 300)
	v.Text("scope", in.Scope, false, 8000)
	if in.SignedOn.IsZero() {
		v.Add("signed_on", "error.required")
	}
	if len(in.UnitIDs) < 2 {
		v.Add("unit_ids", "error.agreement.parties")
	}
	if err := checkUnits(ctx, q, &v, "unit_ids", in.UnitIDs); err != nil {
		return err
	}
	if in.MeetingID != nil {
		if _, err := getMeeting(ctx, q, *in.MeetingID); errs.Is(err, errs.NotFound) {
			v.Add("meeting_id", "error.agreement.meeting_unknown")
		} else if err != nil {
			return err
		}
	}
	for i, t := range in.TaskIDs {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM tasks WHERE id = $1`, t).Scan(&n); err != nil {
			return err
		}
		if n == 0 || slices.Contains(in.TaskIDs[:i], t) {
			v.Add("task_ids", "error.agreement.task_unknown", t)
		}
	}
	return v.Err()
}

func getAgreement(ctx context.Context, q db.Querier, id int64) (Agreement, error) {
	var a Agreement
	err := q.QueryRowContext(ctx, `SELECT id, meeting_id, title, signed_on, scope, version, created_at, updated_at FROM agreements WHERE id = $1`, id).
		Scan(&a.ID, &a.MeetingID, &a.Title, &a.SignedOn, &a.Scope, &a.Version, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return a, errs.NotFoundIf(err, "agreement")
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	if a.UnitIDs, err = ids(ctx, q, `SELECT unit_id FROM agreement_parties WHERE agreement_id = $1 ORDER BY unit_id`, id); err != nil {
		return a, err
	}
	a.TaskIDs, err = ids(ctx, q, `SELECT task_id FROM agreement_tasks WHERE agreement_id = $1 ORDER BY task_id`, id)
	return a, err
}

// Agreement returns one agreement.
func (s *Service) Agreement(ctx context.Context, id int64) (Agreement, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return Agreement{}, err
	}
	return getAgreement(ctx, s.DB.R, id)
}

// Agreements lists agreements, the latest signed first; meetingID 0 lists all.
func (s *Service) Agreements(ctx context.Context, meetingID int64) ([]Agreement, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return nil, err
	}
	return each(ctx, s.DB.R, getAgreement, `SELECT id FROM agreements WHERE $1 = 0 OR meeting_id = $1 ORDER BY signed_on DESC, id DESC`, meetingID)
}

// SaveAgreement creates an agreement (id 0) or replaces one if version is
// current.
func (s *Service) SaveAgreement(ctx context.Context, id int64, in AgreementInput, version int) (Agreement, error) {
	if err := access.FromContext(ctx).Check(access.ManageMeetings, 0); err != nil {
		return Agreement{}, err
	}
	var after Agreement
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		if err := in.validate(ctx, tx); err != nil {
			return err
		}
		now := s.now()
		var before any
		if id == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO agreements (meeting_id, title, signed_on, scope, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$5) RETURNING id`,
				in.MeetingID, in.Title, in.SignedOn, in.Scope, now).Scan(&id); err != nil {
				return err
			}
		} else {
			cur, err := getAgreement(ctx, tx, id)
			if err != nil {
				return err
			}
			before = cur
			res, err := tx.ExecContext(ctx, `UPDATE agreements SET meeting_id=$1, title=$2, signed_on=$3, scope=$4, updated_at=$5, version=version+1 WHERE id=$6 AND version=$7`,
				in.MeetingID, in.Title, in.SignedOn, in.Scope, now, id, version)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.StaleVersion(cur)
			}
		}
		if err := replaceLinks(ctx, tx, "agreement_parties", "agreement_id", "unit_id", id, in.UnitIDs); err != nil {
			return err
		}
		if err := replaceLinks(ctx, tx, "agreement_tasks", "agreement_id", "task_id", id, in.TaskIDs); err != nil {
			return err
		}
		var err error
		if after, err = getAgreement(ctx, tx, id); err != nil {
			return err
		}
		action := "agreement.create"
		if before != nil {
			action = "agreement.update"
		}
		return audit.Record(ctx, tx, audit.Change{Action: action, ObjectType: "agreement", ObjectID: id, Before: before, After: after})
	})
	return after, err
}
