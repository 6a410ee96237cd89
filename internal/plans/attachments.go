package plans

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
)

// MaxAttachment is the largest evidence file accepted.
const MaxAttachment = 20 << 20

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

// evidenceTypes maps the extensions accepted to the content type served and
// what the bytes must sniff as: documents, sheets, slides, images and text.
var evidenceTypes = map[string]struct{ serve, sniff string }{
	".pdf":  {"application/pdf", "application/pdf"},
	".png":  {"image/png", "image/png"},
	".jpg":  {"image/jpeg", "image/jpeg"},
	".jpeg": {"image/jpeg", "image/jpeg"},
	".gif":  {"image/gif", "image/gif"},
	".webp": {"image/webp", "image/webp"},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
	".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip"},
	".txt":  {"text/plain; charset=utf-8", "text/plain; charset=utf-8"},
	".csv":  {"text/csv; charset=utf-8", "text/plain; charset=utf-8"},
}

// CheckEvidence says what content type to serve a file as, or why it is
// refused. Every uploaded file (evidence, meeting documents) passes it.
func CheckEvidence(name string, data []byte) (string, error) {
	var v errs.Validation
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) || strings.ContainsAny(name, "/\\\x00") || utf8.RuneCountInString(name) > 200 {
		v.Add("file", "error.attachment.name")
		return "", v.Err()
	}
	if len(data) == 0 {
		v.Add("file", "error.attachment.empty")
		return "", v.Err()
	}
	if len(data) > MaxAttachment {
		return "", errs.New(errs.TooLarge, "error.attachment.too_large", MaxAttachment>>20)
	}
	ext := strings.ToLower(filepath.Ext(name))
	t, ok := evidenceTypes[ext]
	if !ok {
		return "", errs.New(errs.Unsupported, "error.attachment.type", ext)
	}
	sniffed := http.DetectContentType(data)
	if ext == ".txt" || ext == ".csv" {
		if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
			return "", errs.New(errs.Unsupported, "error.attachment.mismatch", ext)
		}
	} else if sniffed != t.sniff {
		return "", errs.New(errs.Unsupported, "error.attachment.mismatch", ext)
	}
	return t.serve, nil
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

// AddAttachment stores an evidence file on a report or completion report.
func (s *Service) AddAttachment(ctx context.Context, ownerType string, ownerID int64, name string, data []byte) (Attachment, error) {
	ct, err := CheckEvidence(name, data)
	if err != nil {
		return Attachment{}, err
	}
	var a Attachment
	err = s.tx(ctx, func(tx *sql.Tx) error {
		taskID, err := attachTarget(ctx, tx, ownerType, ownerID)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		a = Attachment{OwnerType: ownerType, OwnerID: ownerID, Name: strings.TrimSpace(name), ContentType: ct, Size: int64(len(data)),
			SHA256: hex.EncodeToString(sum[:]), UploadedBy: access.FromContext(ctx).LoginOrSystem(), CreatedAt: s.now()}
		err = tx.QueryRowContext(ctx, `INSERT INTO attachments (owner_type, owner_id, name, content_type, size, sha256, content, uploaded_by, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`, a.OwnerType, a.OwnerID, a.Name, a.ContentType, a.Size, a.SHA256, data, a.UploadedBy, a.CreatedAt).Scan(&a.ID)
		if err != nil {
			return err
		}
		if err := s.event(ctx, tx, taskID, "attachment.added", 0, a.ID, a.Name); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "attachment.add", ObjectType: "attachment", ObjectID: a.ID, After: a})
	})
	return a, err
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
