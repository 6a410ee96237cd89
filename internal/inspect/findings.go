package inspect

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/evidence"
)

// Severity grades a finding.
type Severity string

const (
	Minor   Severity = "minor"
	Major   Severity = "major"
	Serious Severity = "serious"
)

// Finding is what a round found at one unit.
type Finding struct {
	ID           int64     `json:"id"`
	InspectionID int64     `json:"inspection_id"`
	UnitID       int64     `json:"unit_id"`
	Severity     Severity  `json:"severity"`
	Description  string    `json:"description"`
	TaskID       *int64    `json:"task_id"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// FindingInput is what an inspector records.
type FindingInput struct {
	UnitID      int64    `json:"unit_id"`
	Severity    Severity `json:"severity"`
	Description string   `json:"description"`
	TaskID      *int64   `json:"task_id"`
}

const findingColumns = `id, inspection_id, unit_id, severity, description, task_id, created_by, created_at`

func scanFinding(row db.Scanner) (Finding, error) {
	var f Finding
	err := row.Scan(&f.ID, &f.InspectionID, &f.UnitID, &f.Severity, &f.Description, &f.TaskID, &f.CreatedBy, &f.CreatedAt)
	f.CreatedAt = f.CreatedAt.UTC()
	return f, err
}

func getFinding(ctx context.Context, q db.Querier, id int64) (Finding, error) {
	f, err := scanFinding(q.QueryRowContext(ctx, `SELECT `+findingColumns+` FROM findings WHERE id = $1`, id))
	return f, errs.NotFoundIf(err, "finding")
}

// Findings lists a round's findings in the order recorded.
func (s *Service) Findings(ctx context.Context, roundID int64) ([]Finding, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanFinding, `SELECT `+findingColumns+` FROM findings WHERE inspection_id = $1 ORDER BY id`, roundID)
}

// Finding returns one finding.
func (s *Service) Finding(ctx context.Context, id int64) (Finding, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return Finding{}, err
	}
	return getFinding(ctx, s.DB.R, id)
}

// openRound loads a round for recording findings: it must be in progress.
// The round's lock serializes this with its status changes.
func (s *Service) openRound(ctx context.Context, tx *sql.Tx, id int64) (Round, error) {
	if err := s.DB.Serialize(ctx, tx, "inspection:"+itoa(id)); err != nil {
		return Round{}, err
	}
	r, err := getRound(ctx, tx, id)
	if err != nil {
		return r, err
	}
	if r.Status != InProgress {
		return r, errs.New(errs.Conflict, "error.inspection.not_in_progress")
	}
	return r, nil
}

// AddFinding records a finding in a round in progress. A round scoped to
// named units finds only at those units.
func (s *Service) AddFinding(ctx context.Context, roundID int64, in FindingInput) (Finding, error) {
	if err := access.FromContext(ctx).Check(access.EditInspections, 0); err != nil {
		return Finding{}, err
	}
	var f Finding
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		r, err := s.openRound(ctx, tx, roundID)
		if err != nil {
			return err
		}
		var v errs.Validation
		v.Text("description", in.Description, true, 4000)
		if in.Severity != Minor && in.Severity != Major && in.Severity != Serious {
			v.Add("severity", "error.choice")
		}
		ok, err := exists(ctx, tx, `SELECT count(*) FROM units WHERE id = $1`, in.UnitID)
		switch {
		case err != nil:
			return err
		case !ok:
			v.Add("unit_id", "error.inspection.unit_unknown", in.UnitID)
		case len(r.UnitIDs) > 0 && !slices.Contains(r.UnitIDs, in.UnitID):
			v.Add("unit_id", "error.finding.out_of_scope")
		}
		if in.TaskID != nil {
			ok, err := exists(ctx, tx, `SELECT count(*) FROM tasks WHERE id = $1`, *in.TaskID)
			if err != nil {
				return err
			}
			if !ok {
				v.Add("task_id", "error.finding.task_unknown", *in.TaskID)
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		f = Finding{InspectionID: roundID, UnitID: in.UnitID, Severity: in.Severity, Description: in.Description, TaskID: in.TaskID,
			CreatedBy: access.FromContext(ctx).LoginOrSystem(), CreatedAt: s.now()}
		err = tx.QueryRowContext(ctx, `INSERT INTO findings (inspection_id, unit_id, severity, description, task_id, created_by, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, f.InspectionID, f.UnitID, f.Severity, f.Description, f.TaskID, f.CreatedBy, f.CreatedAt).Scan(&f.ID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "finding.create", ObjectType: "finding", ObjectID: f.ID, After: f})
	})
	return f, err
}

// AddEvidence stores an evidence file on a finding (by its round's
// inspectors while the round is in progress) or on a rectification item
// (by its unit while the item awaits its response).
func (s *Service) AddEvidence(ctx context.Context, ownerType string, ownerID int64, name string, data []byte) (evidence.File, error) {
	if _, err := evidence.Check(name, data); err != nil {
		return evidence.File{}, err
	}
	var f evidence.File
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		switch ownerType {
		case "finding":
			fd, err := getFinding(ctx, tx, ownerID)
			if err != nil {
				return err
			}
			if _, err := s.openRound(ctx, tx, fd.InspectionID); err != nil {
				return err
			}
		case "rectification":
			if err := s.DB.Serialize(ctx, tx, "rectification:"+itoa(ownerID)); err != nil {
				return err
			}
			r, err := getRectification(ctx, tx, ownerID)
			if err != nil {
				return err
			}
			if err := access.FromContext(ctx).Check(access.RespondRectification, r.UnitID); err != nil {
				return err
			}
			if r.Status != Open && r.Status != Returned {
				return errs.New(errs.Conflict, "error.attachment.locked")
			}
		default:
			return errs.New(errs.NotFound, "error.not_found", ownerType)
		}
		var err error
		f, err = evidence.Add(ctx, tx, ownerType, ownerID, name, data, access.FromContext(ctx).LoginOrSystem(), s.now())
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "evidence.add", ObjectType: "evidence", ObjectID: f.ID, After: f})
	})
	return f, err
}

// Evidence lists the files on a finding or rectification item.
func (s *Service) Evidence(ctx context.Context, ownerType string, ownerID int64) ([]evidence.File, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return nil, err
	}
	return evidence.List(ctx, s.DB.R, ownerType, ownerID)
}

// EvidenceContent returns a file of a finding or rectification item.
func (s *Service) EvidenceContent(ctx context.Context, id int64) (evidence.File, []byte, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return evidence.File{}, nil, err
	}
	return evidence.Content(ctx, s.DB.R, id, "finding", "rectification")
}
