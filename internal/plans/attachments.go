package plans

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/evidence"
)

// MaxAttachment is the largest evidence file accepted.
const MaxAttachment = evidence.MaxSize

// Attachment is an evidence file on a report or a completion report.
type Attachment struct {
	ID          int64     `json:"id"`
	OwnerType   string    `json:"owner_type"` // report or completion
	OwnerID     int64     `json:"owner_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// attachTarget finds whose an attachment is and checks that the actor may
// add to it now: a report still editable by its unit, or the lead unit's
// completion report still awaiting the office.
func attachTarget(ctx context.Context, q db.Querier, ownerType string, ownerID int64) (taskID int64, err error) {
	actor := access.FromContext(ctx)
	switch ownerType {
	case "report":
		r, err := getReport(ctx, q, ownerID)
		if err != nil {
			return 0, err
		}
		if err := actor.Check(access.ReportProgress, r.UnitID); err != nil {
			return 0, err
		}
		if !r.Editable() {
			return 0, errs.New(errs.Conflict, "error.attachment.locked")
		}
		return r.TaskID, nil
	case "completion":
		var lead int64
		var verdict string
		err := q.QueryRowContext(ctx, `SELECT t.id, t.lead_unit_id, c.verdict FROM completions c JOIN tasks t ON t.id = c.task_id WHERE c.id = $1`, ownerID).Scan(&taskID, &lead, &verdict)
		if err != nil {
			return 0, errs.NotFoundIf(err, "completion")
		}
		if err := actor.Check(access.CompleteTask, lead); err != nil {
			return 0, err
		}
		if verdict != "" {
			return 0, errs.New(errs.Conflict, "error.attachment.locked")
		}
		return taskID, nil
	}
	return 0, errs.New(errs.NotFound, "error.not_found", ownerType)
}

// File is an evidence file as uploaded: its name and its bytes.
type File struct {
	Name string
	Data []byte
}

// AddAttachment stores an evidence file on a report or completion report.
func (s *Service) AddAttachment(ctx context.Context, ownerType string, ownerID int64, name string, data []byte) (Attachment, error) {
	var a Attachment
	err := s.tx(ctx, func(tx *sql.Tx) (err error) {
		a, err = s.attach(ctx, tx, ownerType, ownerID, File{name, data})
		return err
	})
	return a, err
}

// attachAll stores files on a report or completion report in tx, so that
// they are kept only with the step they came with.
func (s *Service) attachAll(ctx context.Context, tx *sql.Tx, ownerType string, ownerID int64, files []File) error {
	for _, f := range files {
		if _, err := s.attach(ctx, tx, ownerType, ownerID, f); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) attach(ctx context.Context, tx *sql.Tx, ownerType string, ownerID int64, f File) (Attachment, error) {
	ct, err := evidence.Check(f.Name, f.Data)
	if err != nil {
		return Attachment{}, err
	}
	taskID, err := attachTarget(ctx, tx, ownerType, ownerID)
	if err != nil {
		return Attachment{}, err
	}
	sum := sha256.Sum256(f.Data)
	a := Attachment{OwnerType: ownerType, OwnerID: ownerID, Name: strings.TrimSpace(f.Name), ContentType: ct, Size: int64(len(f.Data)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: access.FromContext(ctx).LoginOrSystem(), CreatedAt: s.now()}
	err = tx.QueryRowContext(ctx, `INSERT INTO attachments (owner_type, owner_id, name, content_type, size, sha256, content, uploaded_by, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`, a.OwnerType, a.OwnerID, a.Name, a.ContentType, a.Size, a.SHA256, f.Data, a.UploadedBy, a.CreatedAt).Scan(&a.ID)
	if err != nil {
		return a, err
	}
	if err := s.event(ctx, tx, taskID, "attachment.added", 0, a.ID, a.Name); err != nil {
		return a, err
	}
	return a, audit.Record(ctx, tx, audit.Change{Action: "attachment.add", ObjectType: "attachment", ObjectID: a.ID, After: a})
}

const attachmentColumns = `id, owner_type, owner_id, name, content_type, size, sha256, uploaded_by, created_at`

func scanAttachment(row db.Scanner) (Attachment, error) {
	var a Attachment
	err := row.Scan(&a.ID, &a.OwnerType, &a.OwnerID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.UploadedBy, &a.CreatedAt)
	a.CreatedAt = a.CreatedAt.UTC()
	return a, err
}

// Attachments lists the files on a report or completion report.
func (s *Service) Attachments(ctx context.Context, ownerType string, ownerID int64) ([]Attachment, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanAttachment, `SELECT `+attachmentColumns+` FROM attachments WHERE owner_type = $1 AND owner_id = $2 ORDER BY id`, ownerType, ownerID)
}

// AttachmentContent returns a file and its bytes.
func (s *Service) AttachmentContent(ctx context.Context, id int64) (Attachment, []byte, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return Attachment{}, nil, err
	}
	var data []byte
	a, err := scanAttachment(s.DB.R.QueryRowContext(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = $1`, id))
	if err != nil {
		return a, nil, errs.NotFoundIf(err, "attachment")
	}
	err = s.DB.R.QueryRowContext(ctx, `SELECT content FROM attachments WHERE id = $1`, id).Scan(&data)
	return a, data, err
}
