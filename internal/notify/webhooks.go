package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
)

// Webhook is a receiver of notification events. Its secret is shown once,
// when it is created, and never listed or audited.
type Webhook struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"` // notification kinds, or ["*"] for all
	Active    bool      `json:"active"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// WebhookInput is what a caller may set on a webhook.
type WebhookInput struct {
	Name   string   `json:"name"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Active *bool    `json:"active"` // nil: active when created, unchanged on update
}

var eventPattern = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)*$`)

// validate checks in and normalises its events: trimmed, sorted, without
// repeats, and just "*" when "*" is among them.
func (in *WebhookInput) validate() error {
	var v errs.Validation
	in.Name = strings.TrimSpace(in.Name)
	in.URL = strings.TrimSpace(in.URL)
	v.Text("name", in.Name, true, 100)
	v.Text("url", in.URL, true, 2000)
	if in.URL != "" {
		if u, err := url.Parse(in.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.Add("url", "error.webhook.url")
		}
	}
	var events []string
	for _, e := range in.Events {
		e = strings.TrimSpace(e)
		if e != "*" && !eventPattern.MatchString(e) {
			events = nil
			break
		}
		events = append(events, e)
	}
	slices.Sort(events)
	events = slices.Compact(events)
	if slices.Contains(events, "*") {
		events = []string{"*"}
	}
	if len(events) == 0 {
		v.Add("events", "error.webhook.events")
	}
	in.Events = events
	return v.Err()
}

const webhookColumns = `id, name, url, events, active, version, created_at, updated_at`

func scanWebhook(row db.Scanner) (Webhook, error) {
	var w Webhook
	var events string
	err := row.Scan(&w.ID, &w.Name, &w.URL, &events, &w.Active, &w.Version, &w.CreatedAt, &w.UpdatedAt)
	w.Events = strings.Split(events, ",")
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return w, err
}

func getWebhook(ctx context.Context, q db.Querier, id int64) (Webhook, error) {
	w, err := scanWebhook(q.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	return w, errs.NotFoundIf(err, "webhook")
}

func mayManage(ctx context.Context) error {
	return access.FromContext(ctx).Check(access.ManageWebhooks, 0)
}

// Webhooks lists every webhook by name.
func (s *Service) Webhooks(ctx context.Context) ([]Webhook, error) {
	if err := mayManage(ctx); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanWebhook, `SELECT `+webhookColumns+` FROM webhooks ORDER BY name`)
}

// Webhook returns one webhook.
func (s *Service) Webhook(ctx context.Context, id int64) (Webhook, error) {
	if err := mayManage(ctx); err != nil {
		return Webhook{}, err
	}
	return getWebhook(ctx, s.DB.R, id)
}

// CreateWebhook adds a webhook and returns it with its signing secret, which
// is not shown again.
func (s *Service) CreateWebhook(ctx context.Context, in WebhookInput) (Webhook, string, error) {
	if err := mayManage(ctx); err != nil {
		return Webhook{}, "", err
	}
	if err := in.validate(); err != nil {
		return Webhook{}, "", err
	}
	b := make([]byte, 32)
	rand.Read(b)
	secret := hex.EncodeToString(b)
	var w Webhook
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO webhooks (name, url, secret, events, active, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$6) RETURNING id`,
			in.Name, in.URL, secret, strings.Join(in.Events, ","), in.Active == nil || *in.Active, s.now()).Scan(&id)
		if err != nil {
			return errs.Unique(err, "name")
		}
		if w, err = getWebhook(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "webhook.create", ObjectType: "webhook", ObjectID: id, After: w})
	})
	if err != nil {
		return Webhook{}, "", err
	}
	return w, secret, nil
}

// UpdateWebhook replaces a webhook's fields if version is current.
func (s *Service) UpdateWebhook(ctx context.Context, id int64, in WebhookInput, version int) (Webhook, error) {
	if err := mayManage(ctx); err != nil {
		return Webhook{}, err
	}
	if err := in.validate(); err != nil {
		return Webhook{}, err
	}
	var after Webhook
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := checkedWebhook(ctx, tx, id, version)
		if err != nil {
			return err
		}
		active := before.Active
		if in.Active != nil {
			active = *in.Active
		}
		err = claimVersion(ctx, tx, id, `UPDATE webhooks SET name = $1, url = $2, events = $3, active = $4, version = version + 1, updated_at = $5
			WHERE id = $6 AND version = $7`, in.Name, in.URL, strings.Join(in.Events, ","), active, s.now(), id, version)
		if err != nil {
			return err
		}
		if after, err = getWebhook(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "webhook.update", ObjectType: "webhook", ObjectID: id, Before: before, After: after})
	})
	return after, err
}

// DeleteWebhook removes a webhook, if version is current, with its
// deliveries not yet sent.
func (s *Service) DeleteWebhook(ctx context.Context, id int64, version int) error {
	if err := mayManage(ctx); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := checkedWebhook(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if err := claimVersion(ctx, tx, id, `DELETE FROM webhooks WHERE id = $1 AND version = $2`, id, version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE channel = 'webhook' AND target = $1 AND sent_at IS NULL`, itoa(id)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "webhook.delete", ObjectType: "webhook", ObjectID: id, Before: before})
	})
}

// checkedWebhook reads webhook id for a change made against version.
func checkedWebhook(ctx context.Context, tx *sql.Tx, id int64, version int) (Webhook, error) {
	w, err := getWebhook(ctx, tx, id)
	if err == nil && w.Version != version {
		return w, errs.StaleVersion(w)
	}
	return w, err
}

// claimVersion runs a versioned UPDATE or DELETE of webhook id. Matching no
// row means another writer changed it first (PostgreSQL re-checks the
// version after waiting for that writer's lock).
func claimVersion(ctx context.Context, tx *sql.Tx, id int64, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return errs.Unique(err, "name")
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	w, err := getWebhook(ctx, tx, id)
	if err != nil {
		return err
	}
	return errs.StaleVersion(w)
}

// ErrBadSignature is what VerifySignature returns, wrapped with the reason.
var ErrBadSignature = errors.New("bad webhook signature")

// sign is the Concord-Signature header for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
func sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts + "."))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// VerifySignature checks a Concord-Signature header against the body
// received and the webhook's secret, for receivers. A timestamp further than
// tolerance from now is refused, against replays (0 skips the check).
func VerifySignature(secret string, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("%w: malformed header", ErrBadSignature)
	}
	if tolerance > 0 && now.Sub(time.Unix(sec, 0)).Abs() > tolerance {
		return fmt.Errorf("%w: timestamp outside the tolerance", ErrBadSignature)
	}
	want := []byte(mac(secret, ts, body))
	for _, sig := range sigs {
		if hmac.Equal([]byte(sig), want) {
			return nil
		}
	}
	return fmt.Errorf("%w: signature does not match", ErrBadSignature)
}
