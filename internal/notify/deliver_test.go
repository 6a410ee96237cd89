package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/notify"
)

const sender = "协同督办 <noreply@concord.example.cn>"

func TestEmailInTheUsersLanguage(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		srv := startSMTP(t, serverOpts{})
		f.svc.Mail = notify.SMTP{Host: "127.0.0.1", Port: srv.port, From: sender, Timeout: 5 * time.Second}
		text := "任务「长江大桥」将于 3 天后到期"
		cases := []struct {
			lang, subject, open, footer string
		}{
			{"", "【协同督办】" + text, "查看详情：https://concord.example.cn/tasks/7", "此邮件由协同督办平台 Concord 自动发送"},
			{"zh-Hant", "【協同督辦】" + text, "查看詳情：https://concord.example.cn/tasks/7", "此郵件由協同督辦平台 Concord 自動發送"},
			{"en", "[Concord] " + text, "Open: https://concord.example.cn/tasks/7", "Sent automatically by Concord"},
		}
		for i, c := range cases {
			u := f.user(t, "user"+strconv.Itoa(i), "user"+strconv.Itoa(i)+"@example.cn", c.lang, false)
			f.notify(t, reminder(u, "d"))
		}
		sent, err := f.svc.Deliver(context.Background())
		if err != nil || sent != len(cases) {
			t.Fatalf("Deliver = %d, %v; want %d sent", sent, err, len(cases))
		}
		got := srv.received()
		if len(got) != len(cases) {
			t.Fatalf("server received %d messages, want %d", len(got), len(cases))
		}
		for i, c := range cases {
			r := got[i]
			to := "user" + strconv.Itoa(i) + "@example.cn"
			if r.from != "noreply@concord.example.cn" || r.to != to {
				t.Errorf("envelope %s → %s, want noreply@concord.example.cn → %s", r.from, r.to, to)
			}
			h, subject, body := decode(t, r.raw)
			if subject != c.subject {
				t.Errorf("subject %q, want %q", subject, c.subject)
			}
			for _, want := range []string{text + "\r\n", c.open, c.footer} {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q:\n%s", want, body)
				}
			}
			if from, err := mail.ParseAddress(h.Get("From")); err != nil || from.Name != "协同督办" {
				t.Errorf("From %q: %v", h.Get("From"), err)
			}
			if date, err := h.Date(); err != nil || date.IsZero() {
				t.Errorf("Date %q: %v", h.Get("Date"), err)
			}
			for name, want := range map[string]string{"To": "<" + to + ">", "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8"} {
				if h.Get(name) != want {
					t.Errorf("%s: %q, want %q", name, h.Get(name), want)
				}
			}
			if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@concord.example.cn>") {
				t.Errorf("Message-ID %q", id)
			}
		}
		if sent, _ := f.svc.Deliver(context.Background()); sent != 0 || len(srv.received()) != len(cases) {
			t.Errorf("a second Deliver sent %d more", sent)
		}
	})
}

func TestRefusedEmailIsRetriedWithBackoff(t *testing.T) {
	type step struct {
		advance time.Duration
		tries   int // DATA commands the server has seen by then
	}
	cases := []struct {
		name         string
		rejects      int
		steps        []step
		wantReceived int
		wantAttempts int
		wantSent     bool
	}{
		{
			name: "refused twice, then sent once", rejects: 2,
			// tries at +0; not before +1m; again at +1m; not before +3m; then sent.
			steps:        []step{{0, 1}, {59 * time.Second, 1}, {time.Second, 2}, {time.Minute + 59*time.Second, 2}, {time.Second, 3}, {time.Hour, 3}},
			wantReceived: 1, wantAttempts: 3, wantSent: true,
		},
		{
			name: "given up after eight refusals", rejects: 1000,
			steps: []step{{0, 1}, {3 * time.Hour, 2}, {3 * time.Hour, 3}, {3 * time.Hour, 4}, {3 * time.Hour, 5},
				{3 * time.Hour, 6}, {3 * time.Hour, 7}, {3 * time.Hour, 8}, {3 * time.Hour, 8}, {24 * time.Hour, 8}},
			wantReceived: 0, wantAttempts: 8,
		},
	}
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				srv := startSMTP(t, serverOpts{rejects: c.rejects})
				f.svc.Mail = notify.SMTP{Host: "127.0.0.1", Port: srv.port, From: sender, Timeout: 5 * time.Second}
				f.notify(t, reminder(f.alice, "retry"+strconv.Itoa(i)))
				for _, s := range c.steps {
					f.clk.Advance(s.advance)
					if _, err := f.svc.Deliver(context.Background()); err != nil {
						t.Fatal(err)
					}
					if got := srv.tries(); got != s.tries {
						t.Fatalf("after %s: the server saw %d tries, want %d", s.advance, got, s.tries)
					}
				}
				if got := len(srv.received()); got != c.wantReceived {
					t.Errorf("received %d messages, want %d", got, c.wantReceived)
				}
				var attempts int
				var sentAt *time.Time
				var lastError string
				err := d.R.QueryRow(`SELECT attempts, sent_at, last_error FROM outbox WHERE channel = 'email' ORDER BY id DESC LIMIT 1`).
					Scan(&attempts, &sentAt, &lastError)
				if err != nil {
					t.Fatal(err)
				}
				if attempts != c.wantAttempts || (sentAt != nil) != c.wantSent {
					t.Errorf("row: %d attempts, sent %v; want %d, %v", attempts, sentAt != nil, c.wantAttempts, c.wantSent)
				}
				if !c.wantSent && !strings.Contains(lastError, "451") {
					t.Errorf("last_error %q does not say why", lastError)
				}
			})
		}
	})
}

// hookServer records webhook calls; it answers with status.
type hookServer struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	calls  []hookCall
}

type hookCall struct {
	header http.Header
	body   []byte
}

func startHooks(t *testing.T, status int) *hookServer {
	h := &hookServer{status: status}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.calls = append(h.calls, hookCall{r.Header.Clone(), body})
		h.mu.Unlock()
		w.WriteHeader(h.status)
		io.WriteString(w, http.StatusText(h.status))
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) received() []hookCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookCall(nil), h.calls...)
}

func TestSignedWebhook(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d) // without a Mailer: e-mail is off
		ok, broken := startHooks(t, http.StatusNoContent), startHooks(t, http.StatusInternalServerError)
		_, secret := f.webhook(t, "ok", ok.URL+"/hook", true, "task.reminder")
		brokenHook, _ := f.webhook(t, "broken", broken.URL, true, "*")
		f.notify(t, reminder(f.alice, "d"))
		sent, err := f.svc.Deliver(context.Background())
		if err != nil || sent != 1 {
			t.Fatalf("Deliver = %d, %v; want 1 sent", sent, err)
		}
		if n := f.outbox(t, "email"); n != 0 {
			t.Errorf("with e-mail off, %d e-mails stay queued", n)
		}

		calls := ok.received()
		if len(calls) != 1 {
			t.Fatalf("%d calls, want 1", len(calls))
		}
		call := calls[0]
		var ev struct {
			ID         int64     `json:"id"`
			Event      string    `json:"event"`
			OccurredAt time.Time `json:"occurred_at"`
			Data       struct {
				UserID int64  `json:"user_id"`
				Login  string `json:"user_login"`
				Text   string `json:"text"`
				Link   string `json:"link"`
			} `json:"data"`
		}
		if err := json.Unmarshal(call.body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Event != "task.reminder" || !ev.OccurredAt.Equal(t0) || ev.Data.UserID != f.alice.ID || ev.Data.Login != "alice" ||
			ev.Data.Text != "任务「长江大桥」将于 3 天后到期" || ev.Data.Link != "https://concord.example.cn/tasks/7" {
			t.Errorf("body %s", call.body)
		}
		for name, want := range map[string]string{"Content-Type": "application/json", "Concord-Event": "task.reminder", "Concord-Delivery": strconv.FormatInt(ev.ID, 10)} {
			if got := call.header.Get(name); got != want {
				t.Errorf("%s: %q, want %q", name, got, want)
			}
		}

		sig := call.header.Get("Concord-Signature")
		now := f.clk.Now()
		tampered := bytes.Replace(call.body, []byte("长江"), []byte("黄河"), 1)
		for _, c := range []struct {
			name, secret, header string
			body                 []byte
			now                  time.Time
			ok                   bool
		}{
			{"as sent", secret, sig, call.body, now, true},
			{"within the tolerance", secret, sig, call.body, now.Add(4 * time.Minute), true},
			{"a tampered body", secret, sig, tampered, now, false},
			{"another secret", "not-the-secret", sig, call.body, now, false},
			{"a replay after the tolerance", secret, sig, call.body, now.Add(6 * time.Minute), false},
			{"a second signature, from a rotated secret", secret, sig + ",v1=00ff", call.body, now, true},
			{"no signature", secret, strings.Split(sig, ",")[0], call.body, now, false},
			{"no timestamp", secret, strings.Split(sig, ",")[1], call.body, now, false},
			{"empty", secret, "", call.body, now, false},
		} {
			err := notify.VerifySignature(c.secret, c.header, c.body, c.now, 5*time.Minute)
			if c.ok != (err == nil) || (err != nil && !errors.Is(err, notify.ErrBadSignature)) {
				t.Errorf("%s: VerifySignature = %v", c.name, err)
			}
		}

		// The failed call is recorded and retried later, unless the webhook
		// is switched off meanwhile.
		var attempts int
		var lastError string
		if err := d.R.QueryRow(`SELECT attempts, last_error FROM outbox WHERE target = $1`, strconv.FormatInt(brokenHook.ID, 10)).Scan(&attempts, &lastError); err != nil {
			t.Fatal(err)
		}
		if attempts != 1 || !strings.Contains(lastError, "500") || len(broken.received()) != 1 {
			t.Errorf("failed call: %d attempts, %q", attempts, lastError)
		}
		off := false
		if _, err := f.svc.UpdateWebhook(as(f.sys), brokenHook.ID, notify.WebhookInput{Name: "broken", URL: broken.URL, Events: []string{"*"}, Active: &off}, brokenHook.Version); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(time.Minute)
		if _, err := f.svc.Deliver(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := f.outbox(t, "webhook"); n != 1 || len(broken.received()) != 1 {
			t.Errorf("a switched-off webhook's call was not dropped: %d rows, %d calls", n, len(broken.received()))
		}
	})
}

// countingMailer counts the e-mails it is asked to send, by subject.
type countingMailer struct {
	mu   sync.Mutex
	sent map[string]int
}

func (m *countingMailer) Send(_ context.Context, _, subject, _ string) error {
	time.Sleep(time.Millisecond) // widen the window in which two instances could collide
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent[subject]++
	return nil
}

func TestConcurrentDeliverSendsEachRowOnce(t *testing.T) {
	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			url := dbtest.URL(t, e)
			f := setup(t, open(t, url, true))
			other := *f.svc
			other.DB = open(t, url, false)
			mailer := &countingMailer{sent: map[string]int{}}
			f.svc.Mail, other.Mail = mailer, mailer
			hooks := startHooks(t, http.StatusOK)
			f.webhook(t, "hook", hooks.URL, true, "*")
			const n = 30
			for i := range n {
				m := reminder(f.alice, strconv.Itoa(i))
				m.Args = []string{strconv.Itoa(i)}
				f.notify(t, m)
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			total := 0
			for _, s := range []*notify.Service{f.svc, &other, f.svc, &other} {
				wg.Go(func() {
					sent, err := s.Deliver(context.Background())
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					total += sent
					mu.Unlock()
				})
			}
			wg.Wait()
			if total != 2*n {
				t.Errorf("%d sent in all, want %d", total, 2*n)
			}
			if len(mailer.sent) != n {
				t.Errorf("%d distinct e-mails, want %d", len(mailer.sent), n)
			}
			for subject, times := range mailer.sent {
				if times != 1 {
					t.Errorf("%q sent %d times", subject, times)
				}
			}
			deliveries := map[string]int{}
			for _, c := range hooks.received() {
				deliveries[c.header.Get("Concord-Delivery")]++
			}
			if len(deliveries) != n {
				t.Errorf("%d distinct webhook deliveries, want %d", len(deliveries), n)
			}
			for id, times := range deliveries {
				if times != 1 {
					t.Errorf("delivery %s posted %d times", id, times)
				}
			}
		})
	}
}

// open opens a store at url, as another instance would, migrating it first
// if asked.
func open(t *testing.T, url string, migrate bool) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if migrate {
		if err := d.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return d
}
