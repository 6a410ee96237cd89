// Package evidence checks uploaded evidence files (证明材料) and keeps those
// of findings, rectifications and problems. Plans keeps its report and
// completion attachments in its own table but checks them here too, so
// every upload in Concord passes the same rules.
package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"concord/internal/db"
	"concord/internal/errs"
)

// MaxSize is the largest evidence file accepted.
const MaxSize = 20 << 20

// types maps the extensions accepted to the content type served and what
// the bytes must sniff as: documents, sheets, slides, images and text.
var types = map[string]struct{ serve, sniff string }{
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

// Check says what content type to serve a file as, or why it is refused.
func Check(name string, data []byte) (string, error) {
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
	if len(data) > MaxSize {
		return "", errs.New(errs.TooLarge, "error.attachment.too_large", MaxSize>>20)
	}
	ext := strings.ToLower(filepath.Ext(name))
	t, ok := types[ext]
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

// File is one stored evidence file, without its bytes.
type File struct {
	ID          int64     `json:"id"`
	OwnerType   string    `json:"owner_type"` // finding, rectification or problem
	OwnerID     int64     `json:"owner_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Add checks a file and stores it on its owner in tx; the caller has
// checked that the actor may add to the owner, and records the audit entry.
func Add(ctx context.Context, tx *sql.Tx, ownerType string, ownerID int64, name string, data []byte, by string, now time.Time) (File, error) {
	ct, err := Check(name, data)
	if err != nil {
		return File{}, err
	}
	sum := sha256.Sum256(data)
	f := File{OwnerType: ownerType, OwnerID: ownerID, Name: strings.TrimSpace(name), ContentType: ct, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: by, CreatedAt: now}
	err = tx.QueryRowContext(ctx, `INSERT INTO evidence_files (owner_type, owner_id, name, content_type, size, sha256, content, uploaded_by, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`, f.OwnerType, f.OwnerID, f.Name, f.ContentType, f.Size, f.SHA256, data, f.UploadedBy, f.CreatedAt).Scan(&f.ID)
	return f, err
}

const columns = `id, owner_type, owner_id, name, content_type, size, sha256, uploaded_by, created_at`

func scan(row db.Scanner) (File, error) {
	var f File
	err := row.Scan(&f.ID, &f.OwnerType, &f.OwnerID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.UploadedBy, &f.CreatedAt)
	f.CreatedAt = f.CreatedAt.UTC()
	return f, err
}

// List returns the files on an owner, oldest first.
func List(ctx context.Context, q db.Querier, ownerType string, ownerID int64) ([]File, error) {
	return db.All(ctx, q, scan, `SELECT `+columns+` FROM evidence_files WHERE owner_type = $1 AND owner_id = $2 ORDER BY id`, ownerType, ownerID)
}

// Count is how many files an owner has.
func Count(ctx context.Context, q db.Querier, ownerType string, ownerID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM evidence_files WHERE owner_type = $1 AND owner_id = $2`, ownerType, ownerID).Scan(&n)
	return n, err
}

// Content returns a file of one of ownerTypes and its bytes.
func Content(ctx context.Context, q db.Querier, id int64, ownerTypes ...string) (File, []byte, error) {
	f, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM evidence_files WHERE id = $1`, id))
	if err == nil && !slices.Contains(ownerTypes, f.OwnerType) {
		err = sql.ErrNoRows
	}
	if err != nil {
		return File{}, nil, errs.NotFoundIf(err, "attachment")
	}
	var data []byte
	err = q.QueryRowContext(ctx, `SELECT content FROM evidence_files WHERE id = $1`, id).Scan(&data)
	return f, data, err
}
