package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/i18n"
)

// Notification is one entry of a user's inbox.
type Notification struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	SubjectKey string     `json:"subject_key"`
	Args       []string   `json:"args"`
	Link       string     `json:"link"`
	ObjectType string     `json:"object_type"`
	ObjectID   string     `json:"object_id"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at"`
}

// Text is the notification in lang.
func (n Notification) Text(lang string) string {
	return i18n.T(lang, n.SubjectKey, anys(n.Args)...)
}

// maxMarked bounds the ids of one MarkRead, within both engines' limits on
// query parameters.
const maxMarked = 500

const notificationColumns = `id, kind, subject_key, args_json, link, object_type, object_id, created_at, read_at`

func scanNotification(row db.Scanner) (Notification, error) {
	var n Notification
	var args string
	if err := row.Scan(&n.ID, &n.Kind, &n.SubjectKey, &args, &n.Link, &n.ObjectType, &n.ObjectID, &n.CreatedAt, &n.ReadAt); err != nil {
		return n, err
	}
	n.CreatedAt = n.CreatedAt.UTC()
	if n.ReadAt != nil {
		t := n.ReadAt.UTC()
		n.ReadAt = &t
	}
	return n, json.Unmarshal([]byte(args), &n.Args)
}

// own checks that the actor is userID: an inbox is read by its owner only.
func own(ctx context.Context, userID int64) error {
	a := access.FromContext(ctx)
	if err := a.Check(access.Self, 0); err != nil {
		return err
	}
	if a.UserID != userID {
		return errs.New(errs.Forbidden, "error.forbidden")
	}
	return nil
}

// Inbox lists one page of the user's notifications, newest first, and the
// total.
func (s *Service) Inbox(ctx context.Context, userID int64, unreadOnly bool, limit, offset int) ([]Notification, int, error) {
	if err := own(ctx, userID); err != nil {
		return nil, 0, err
	}
	where := ` WHERE user_id = $1`
	if unreadOnly {
		where += ` AND read_at IS NULL`
	}
	var total int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM notifications`+where, userID).Scan(&total); err != nil {
		return nil, 0, err
	}
	out, err := db.All(ctx, s.DB.R, scanNotification, `SELECT `+notificationColumns+` FROM notifications`+where+
		` ORDER BY id DESC LIMIT $2 OFFSET $3`, userID, limit, offset)
	return out, total, err
}

// UnreadCount is how many of the user's notifications are unread.
func (s *Service) UnreadCount(ctx context.Context, userID int64) (int, error) {
	if err := own(ctx, userID); err != nil {
		return 0, err
	}
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	return n, err
}

// MarkRead marks the user's notifications ids read (nil: all of them); ids
// of other users' notifications are ignored.
func (s *Service) MarkRead(ctx context.Context, userID int64, ids []int64) error {
	if err := own(ctx, userID); err != nil {
		return err
	}
	switch {
	case len(ids) > maxMarked:
		return &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "ids", Key: "error.notify.too_many", Args: []any{maxMarked}}}}
	case ids != nil && len(ids) == 0:
		return nil
	}
	query, args := `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, []any{s.now(), userID}
	if ids != nil {
		ph := make([]string, len(ids))
		for i, id := range ids {
			args = append(args, id)
			ph[i] = "$" + itoa(int64(len(args)))
		}
		query += ` AND id IN (` + strings.Join(ph, ",") + `)`
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "notification.read", ObjectType: "user", ObjectID: userID,
			After: map[string]any{"ids": ids, "marked": n}})
	})
}
