// Package notify tells users what needs their attention: in-app
// notifications, e-mail over SMTP and signed webhooks.
//
// A capability records a notification with Notify inside its own
// transaction, so the notification exists exactly when the change that
// caused it does. Message.Dedupe makes a second Notify for the same event do
// nothing, which is how a reminder goes out once even if the job that sends
// it runs twice. Notify also queues the e-mail and webhook deliveries in the
// outbox table; Deliver (run every minute by the jobs runner, see Job) sends
// them, retrying with backoff, and sends each one once even when several
// instances deliver at the same time.
package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/i18n"
)

// Service reads inboxes, manages webhooks and delivers the outbox.
type Service struct {
	DB    *db.DB
	Clock clock.Clock // nil: the system clock
	// Mail sends e-mail; nil, or an SMTP without Host, means e-mail is off
	// and queued e-mails are dropped.
	Mail Mailer
	// HTTP posts webhooks; nil: a client with a 30 s timeout that does not
	// follow redirects (a redirect counts as a failed delivery).
	HTTP    *http.Client
	Log     *slog.Logger // nil: slog.Default()
	BaseURL string       // Concord's public address, for links in e-mails and webhooks
}

// Message is one notification for one user.
type Message struct {
	UserID     int64
	Kind       string   // what happened, e.g. "task.reminder"; webhooks subscribe to kinds
	SubjectKey string   // catalogue key of the text, filled in with Args
	Args       []string // "notify.text" with one argument carries text the sender wrote
	Link       string   // a path in Concord, e.g. "/tasks/12"
	ObjectType string
	ObjectID   string
	// Dedupe names the event for this user: a second Message with the same
	// UserID and Dedupe is ignored. E.g. "task.reminder:12:2026-03-05".
	Dedupe string
}

// mail is an outbox e-mail: rendered at Notify in the user's language,
// given its link and footer at delivery, when BaseURL is known.
type mail struct {
	Lang string `json:"lang"`
	Text string `json:"text"`
	Link string `json:"link"`
}

// event is the body of a webhook delivery. ID (the outbox row) is filled in
// at delivery.
type event struct {
	ID         int64     `json:"id"`
	Event      string    `json:"event"`
	OccurredAt time.Time `json:"occurred_at"`
	Data       eventData `json:"data"`
}

type eventData struct {
	NotificationID int64    `json:"notification_id"`
	UserID         int64    `json:"user_id"`
	UserLogin      string   `json:"user_login"`
	Text           string   `json:"text"` // in the user's language
	SubjectKey     string   `json:"subject_key"`
	Args           []string `json:"args"`
	Link           string   `json:"link"` // absolute when BaseURL is set
	ObjectType     string   `json:"object_type"`
	ObjectID       string   `json:"object_id"`
}

// Notify records m for its user through q (the caller's transaction) at now,
// and queues an e-mail (if the user has an address and is not disabled) and
// one delivery for each active webhook subscribed to m.Kind. It reports
// false, and queues nothing, when the user already has a notification with
// m.Dedupe.
func Notify(ctx context.Context, q db.Querier, now time.Time, m Message) (bool, error) {
	if m.UserID == 0 || m.Kind == "" || m.SubjectKey == "" || m.Dedupe == "" {
		return false, errors.New("notify: a message needs UserID, Kind, SubjectKey and Dedupe")
	}
	if err := checkKind(m.Kind); err != nil {
		return false, err
	}
	if m.Args == nil {
		m.Args = []string{}
	}
	now = now.UTC().Truncate(time.Microsecond)
	args, err := json.Marshal(m.Args)
	if err != nil {
		return false, err
	}
	var id int64
	err = q.QueryRowContext(ctx, `INSERT INTO notifications (user_id, kind, subject_key, args_json, link, object_type, object_id, dedupe, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (user_id, dedupe) DO NOTHING RETURNING id`,
		m.UserID, m.Kind, m.SubjectKey, string(args), m.Link, m.ObjectType, m.ObjectID, m.Dedupe, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, enqueue(ctx, q, now, id, m)
}

func enqueue(ctx context.Context, q db.Querier, now time.Time, id int64, m Message) error {
	var login, address, lang string
	var disabled bool
	err := q.QueryRowContext(ctx, `SELECT login, email, language, disabled FROM users WHERE id = $1`, m.UserID).
		Scan(&login, &address, &lang, &disabled)
	if err != nil {
		return err
	}
	if !i18n.Valid(lang) {
		lang = i18n.Default
	}
	text := i18n.T(lang, m.SubjectKey, anys(m.Args)...)
	if address != "" && !disabled {
		if err := push(ctx, q, now, "email", address, mail{Lang: lang, Text: text, Link: m.Link}); err != nil {
			return err
		}
	}
	type hook struct {
		id     int64
		events string
	}
	hooks, err := db.All(ctx, q, func(row db.Scanner) (h hook, err error) {
		err = row.Scan(&h.id, &h.events)
		return h, err
	}, `SELECT id, events FROM webhooks WHERE active = TRUE ORDER BY id`)
	if err != nil {
		return err
	}
	ev := event{Event: m.Kind, OccurredAt: now, Data: eventData{
		NotificationID: id, UserID: m.UserID, UserLogin: login, Text: text, SubjectKey: m.SubjectKey,
		Args: m.Args, Link: m.Link, ObjectType: m.ObjectType, ObjectID: m.ObjectID,
	}}
	for _, h := range hooks {
		if subscribed(h.events, m.Kind) {
			if err := push(ctx, q, now, "webhook", itoa(h.id), ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// push queues one delivery, due at once.
func push(ctx context.Context, q db.Querier, now time.Time, channel, target string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO outbox (channel, target, payload, next_attempt_at, created_at) VALUES ($1,$2,$3,$4,$4)`,
		channel, target, string(b), now)
	return err
}

// subscribed reports whether a webhook's stored event list takes kind.
func subscribed(events, kind string) bool {
	return events == "*" || slices.Contains(strings.Split(events, ","), kind)
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return clock.System.Now()
	}
	return s.Clock.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// link makes a Concord path absolute for readers outside Concord.
func (s *Service) link(path string) string {
	if s.BaseURL == "" || !strings.HasPrefix(path, "/") {
		return path
	}
	return strings.TrimRight(s.BaseURL, "/") + path
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
