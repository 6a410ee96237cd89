package notify

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"concord/internal/db"
	"concord/internal/i18n"
	"concord/internal/jobs"
)

const (
	maxAttempts  = 8                   // sends of one outbox row before giving up
	firstBackoff = time.Minute         // wait after the first failure; doubles after each
	claimFor     = 10 * time.Minute    // how long a claimed row is left alone: well above sendTimeout
	sendTimeout  = 30 * time.Second    // one e-mail or webhook call
	batchSize    = 100                 // rows read at a time
	keepSent     = 30 * 24 * time.Hour // sent rows older than this are deleted
)

// Job is Deliver as a job for the jobs runner, every minute.
func (s *Service) Job() jobs.Job {
	return jobs.Job{Name: "notify.deliver", Every: time.Minute, Run: func(ctx context.Context, _ time.Time) error {
		_, err := s.Deliver(ctx)
		return err
	}}
}

type outboxRow struct {
	id       int64
	channel  string
	target   string
	payload  string
	attempts int
}

// discard is a delivery that can never succeed (e-mail turned off, webhook
// deleted): the row is deleted rather than retried.
type discard string

func (d discard) Error() string { return string(d) }

// Deliver sends every outbox row that is due, and reports how many it sent.
// Each row is claimed before it is sent, so instances delivering at the same
// time never send one row twice. A failed send is retried after a pause that
// doubles each time, up to maxAttempts sends. The error is for the store
// only; failed sends are recorded on their rows.
func (s *Service) Deliver(ctx context.Context) (int, error) {
	if _, err := s.DB.W.ExecContext(ctx, `DELETE FROM outbox WHERE sent_at < $1`, s.now().Add(-keepSent)); err != nil {
		return 0, err
	}
	sent := 0
	for {
		now := s.now()
		due, err := db.All(ctx, s.DB.R, func(row db.Scanner) (o outboxRow, err error) {
			err = row.Scan(&o.id, &o.channel, &o.target, &o.payload, &o.attempts)
			return o, err
		}, `SELECT id, channel, target, payload, attempts FROM outbox
			WHERE sent_at IS NULL AND next_attempt_at <= $1 AND attempts < $2 AND (claimed_until IS NULL OR claimed_until < $1)
			ORDER BY next_attempt_at, id LIMIT $3`, now, maxAttempts, batchSize)
		if err != nil {
			return sent, err
		}
		for _, o := range due {
			ok, err := s.deliver(ctx, o)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		// Every row of the batch is now sent, rescheduled, deleted or in
		// another instance's hands, so the next read moves on.
		if len(due) < batchSize || ctx.Err() != nil {
			return sent, ctx.Err()
		}
	}
}

// deliver claims, sends and records one row; it reports whether it sent it.
func (s *Service) deliver(ctx context.Context, o outboxRow) (bool, error) {
	now := s.now()
	// attempts = the value read makes the claim fail if the row has moved on
	// (sent, or failed and rescheduled) since it was read.
	res, err := s.DB.W.ExecContext(ctx, `UPDATE outbox SET claimed_until = $1
		WHERE id = $2 AND attempts = $3 AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < $4)`,
		now.Add(claimFor), o.id, o.attempts, now)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	sendCtx, cancel := context.WithTimeout(ctx, sendTimeout)
	sendErr := s.send(sendCtx, o)
	cancel()
	// Record the outcome even if ctx ended meanwhile: the row must not
	// wait out its claim, nor be sent again after a success.
	ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var d discard
	switch {
	case sendErr == nil:
		_, err = s.DB.W.ExecContext(ctx, `UPDATE outbox SET sent_at = $1, attempts = attempts + 1, claimed_until = NULL, last_error = '' WHERE id = $2`, s.now(), o.id)
		return err == nil, err
	case errors.As(sendErr, &d):
		s.log().Info("outbox row dropped", "id", o.id, "channel", o.channel, "reason", string(d))
		_, err = s.DB.W.ExecContext(ctx, `DELETE FROM outbox WHERE id = $1`, o.id)
		return false, err
	}
	attempts := o.attempts + 1
	log := s.log().With("id", o.id, "channel", o.channel, "attempts", attempts, "err", sendErr)
	if attempts >= maxAttempts {
		log.Error("delivery failed too often; giving up")
	} else {
		log.Warn("delivery failed; will retry")
	}
	_, err = s.DB.W.ExecContext(ctx, `UPDATE outbox SET attempts = $1, next_attempt_at = $2, claimed_until = NULL, last_error = $3 WHERE id = $4`,
		attempts, s.now().Add(firstBackoff<<(attempts-1)), truncate(sendErr.Error(), 1000), o.id)
	return false, err
}

func (s *Service) send(ctx context.Context, o outboxRow) error {
	switch o.channel {
	case "email":
		if !s.mailOn() {
			return discard("e-mail is off")
		}
		var m mail
		if err := json.Unmarshal([]byte(o.payload), &m); err != nil {
			return err
		}
		subject, body := s.render(m)
		return s.Mail.Send(ctx, o.target, subject, body)
	case "webhook":
		return s.post(ctx, o)
	}
	return discard("unknown channel " + o.channel)
}

func (s *Service) mailOn() bool {
	switch m := s.Mail.(type) {
	case nil:
		return false
	case SMTP:
		return m.Host != ""
	case *SMTP:
		return m != nil && m.Host != ""
	}
	return true
}

// render is an e-mail's subject and body, with the link made absolute.
func (s *Service) render(m mail) (subject, body string) {
	var b strings.Builder
	b.WriteString(m.Text + "\n\n")
	if m.Link != "" {
		b.WriteString(i18n.T(m.Lang, "notify.email.open", s.link(m.Link)) + "\n\n")
	}
	b.WriteString("-- \n" + i18n.T(m.Lang, "notify.email.footer") + "\n")
	return i18n.T(m.Lang, "notify.email.subject", m.Text), b.String()
}

var defaultClient = &http.Client{
	Timeout:       sendTimeout,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// post sends one webhook delivery, signed with the webhook's secret.
func (s *Service) post(ctx context.Context, o outboxRow) error {
	id, err := strconv.ParseInt(o.target, 10, 64)
	if err != nil {
		return discard("no webhook " + o.target)
	}
	var url, secret string
	var active bool
	err = s.DB.R.QueryRowContext(ctx, `SELECT url, secret, active FROM webhooks WHERE id = $1`, id).Scan(&url, &secret, &active)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if !active {
		return discard("webhook deleted or inactive")
	}
	var ev event
	if err := json.Unmarshal([]byte(o.payload), &ev); err != nil {
		return err
	}
	ev.ID = o.id
	ev.Data.Link = s.link(ev.Data.Link)
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Concord-Webhook")
	req.Header.Set("Concord-Event", ev.Event)
	req.Header.Set("Concord-Delivery", itoa(o.id))
	req.Header.Set("Concord-Signature", sign(secret, s.now(), body))
	client := s.HTTP
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s: %s", resp.Status, strings.ToValidUTF8(string(snippet), ""))
	}
	return nil
}

// truncate shortens s to at most n bytes on a rune boundary (PostgreSQL
// refuses text that is not UTF-8).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
