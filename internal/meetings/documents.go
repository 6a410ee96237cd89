package meetings

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

// Document is a file presented at a meeting. Files pass the same checks as
// evidence on reports (evidence.Check): size, name, type by content.
type Document struct {
	ID          int64     `json:"id"`
	MeetingID   int64     `json:"meeting_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// AddDocument stores a file on a meeting that is not closed.
func (s *Service) AddDocument(ctx context.Context, meetingID int64, name string, data []byte) (Document, error) {
	if err := access.FromContext(ctx).Check(access.ManageMeetings, 0); err != nil {
		return Document{}, err
	}
	ct, err := evidence.Check(name, data)
	if err != nil {
		return Document{}, err
	}
	var d Document
	err = s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		if err := s.lockMeeting(ctx, tx, meetingID); err != nil {
			return err
		}
		var status Status
		if err := tx.QueryRowContext(ctx, `SELECT status FROM meetings WHERE id = $1`, meetingID).Scan(&status); err != nil {
			return errs.NotFoundIf(err, "meeting")
		}
		if status == Closed {
			return errs.New(errs.Conflict, "error.meeting.closed")
		}
		sum := sha256.Sum256(data)
		d = Document{MeetingID: meetingID, Name: strings.TrimSpace(name), ContentType: ct, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
			UploadedBy: access.FromContext(ctx).LoginOrSystem(), CreatedAt: s.now()}
		if err := tx.QueryRowContext(ctx, `INSERT INTO meeting_documents (meeting_id, name, content_type, size, sha256, content, uploaded_by, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`, d.MeetingID, d.Name, d.ContentType, d.Size, d.SHA256, data, d.UploadedBy, d.CreatedAt).Scan(&d.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "meeting.document", ObjectType: "meeting_document", ObjectID: d.ID, After: d})
	})
	return d, err
}

const documentColumns = `id, meeting_id, name, content_type, size, sha256, uploaded_by, created_at`

func scanDocument(row db.Scanner) (Document, error) {
	var d Document
	err := row.Scan(&d.ID, &d.MeetingID, &d.Name, &d.ContentType, &d.Size, &d.SHA256, &d.UploadedBy, &d.CreatedAt)
	d.CreatedAt = d.CreatedAt.UTC()
	return d, err
}

// Documents lists a meeting's files in the order they were added.
func (s *Service) Documents(ctx context.Context, meetingID int64) ([]Document, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanDocument, `SELECT `+documentColumns+` FROM meeting_documents WHERE meeting_id = $1 ORDER BY id`, meetingID)
}

// DocumentContent returns a file and its bytes.
func (s *Service) DocumentContent(ctx context.Context, id int64) (Document, []byte, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return Document{}, nil, err
	}
	var data []byte
	d, err := scanDocument(s.DB.R.QueryRowContext(ctx, `SELECT `+documentColumns+` FROM meeting_documents WHERE id = $1`, id))
	if err != nil {
		return d, nil, errs.NotFoundIf(err, "document")
	}
	err = s.DB.R.QueryRowContext(ctx, `SELECT content FROM meeting_documents WHERE id = $1`, id).Scan(&data)
	return d, data, err
}
