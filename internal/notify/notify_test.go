package notify_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/errs/errstest"
	"concord/internal/i18n"
	"concord/internal/notify"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// fixture is a store with one unit and the users the tests need.
type fixture struct {
	d     *db.DB
	clk   *clock.Fake
	svc   *notify.Service
	alice accounts.User // e-mail, language "" (Simplified Chinese)
	bob   accounts.User // no e-mail
	carol accounts.User // e-mail, disabled
	sys   accounts.User // system administrator
	unit  alliance.Unit
	users *accounts.Service
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{d: d, clk: clock.NewFake(t0), users: &accounts.Service{DB: d}}
	f.svc = &notify.Service{DB: d, Clock: f.clk, Log: testLog(t), BaseURL: "https://concord.example.cn/"}
	var err error
	f.unit, err = (&alliance.Service{DB: d}).BootstrapUnit(ctx, alliance.UnitInput{Code: "wuhan", Name: alliance.Names{ZhHans: "武汉市"}, Kind: alliance.City})
	if err != nil {
		t.Fatal(err)
	}
	f.alice = f.user(t, "alice", "alice@example.cn", "", false, access.Reporter)
	f.bob = f.user(t, "bob", "", "en", false, access.Reporter)
	f.carol = f.user(t, "carol", "carol@example.cn", "", true, access.Reporter)
	f.sys = f.user(t, "sys", "", "", false, access.SysAdmin)
	return f
}

func (f *fixture) user(t *testing.T, login, email, lang string, disabled bool, roles ...access.Role) accounts.User {
	t.Helper()
	u, err := f.users.Bootstrap(context.Background(), accounts.UserInput{Login: login, Name: login, Email: email, UnitID: f.unit.ID,
		Language: lang, Disabled: disabled, Password: "Secret-pass-1", Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func testLog(t *testing.T) *slog.Logger { return slog.New(slog.NewTextHandler(t.Output(), nil)) }

func as(u accounts.User) context.Context {
	return access.WithActor(context.Background(), &access.Actor{UserID: u.ID, Login: u.Login, UnitID: u.UnitID, Roles: u.Roles})
}

// notify records m in a transaction of its own, as a capability would.
func (f *fixture) notify(t *testing.T, m notify.Message) bool {
	t.Helper()
	var fresh bool
	err := f.d.Tx(context.Background(), func(tx *sql.Tx) (err error) {
		fresh, err = notify.Notify(context.Background(), tx, f.clk.Now(), m)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

func reminder(u accounts.User, dedupe string) notify.Message {
	return notify.Message{UserID: u.ID, Kind: "task.reminder", SubjectKey: "notify.text", Args: []string{"任务「长江大桥」将于 3 天后到期"},
		Link: "/tasks/7", ObjectType: "task", ObjectID: "7", Dedupe: dedupe}
}

// outbox counts the outbox rows of a channel.
func (f *fixture) outbox(t *testing.T, channel string) int {
	t.Helper()
	var n int
	if err := f.d.R.QueryRow(`SELECT count(*) FROM outbox WHERE channel = $1`, channel).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) webhook(t *testing.T, name, url string, active bool, events ...string) (notify.Webhook, string) {
	t.Helper()
	w, secret, err := f.svc.CreateWebhook(as(f.sys), notify.WebhookInput{Name: name, URL: url, Events: events, Active: &active})
	if err != nil {
		t.Fatal(err)
	}
	return w, secret
}

func TestNotifyOncePerDedupe(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.webhook(t, "all", "https://hooks.example.cn/all", true, "*")
		f.webhook(t, "reminders", "https://hooks.example.cn/r", true, "task.reminder")
		f.webhook(t, "chases", "https://hooks.example.cn/c", true, "task.chase", "report.returned")
		f.webhook(t, "off", "https://hooks.example.cn/off", false, "*")
		chase := func(u accounts.User, dedupe string) notify.Message {
			m := reminder(u, dedupe)
			m.Kind = "task.chase"
			return m
		}
		// Each step queues wantMails e-mails and wantHooks webhook calls.
		for _, c := range []struct {
			name                 string
			m                    notify.Message
			fresh                bool
			wantMails, wantHooks int
		}{
			{"first reminder", reminder(f.alice, "task.reminder:7:2026-03-05"), true, 1, 2},
			{"the same reminder again", reminder(f.alice, "task.reminder:7:2026-03-05"), false, 0, 0},
			{"the next day's reminder", reminder(f.alice, "task.reminder:7:2026-03-06"), true, 1, 2},
			{"the same event for a user without e-mail", reminder(f.bob, "task.reminder:7:2026-03-05"), true, 0, 2},
			{"a disabled user gets no e-mail", reminder(f.carol, "task.reminder:7:2026-03-05"), true, 0, 2},
			{"another kind reaches other webhooks", chase(f.alice, "task.chase:7:1"), true, 1, 2},
		} {
			mails, hooks := f.outbox(t, "email"), f.outbox(t, "webhook")
			if got := f.notify(t, c.m); got != c.fresh {
				t.Errorf("%s: Notify = %v, want %v", c.name, got, c.fresh)
			}
			if got := f.outbox(t, "email") - mails; got != c.wantMails {
				t.Errorf("%s: %d e-mails queued, want %d", c.name, got, c.wantMails)
			}
			if got := f.outbox(t, "webhook") - hooks; got != c.wantHooks {
				t.Errorf("%s: %d webhook calls queued, want %d", c.name, got, c.wantHooks)
			}
		}

		// A notification rolled back with its cause was never sent.
		m := reminder(f.alice, "rolled-back")
		err := d.Tx(context.Background(), func(tx *sql.Tx) error {
			if _, err := notify.Notify(context.Background(), tx, f.clk.Now(), m); err != nil {
				return err
			}
			return errors.New("the cause failed")
		})
		if err == nil || !f.notify(t, m) {
			t.Error("a rolled-back notification blocked its dedupe key")
		}

		// Jobs racing on one event: exactly one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 8 {
			wg.Go(func() {
				err := d.Tx(context.Background(), func(tx *sql.Tx) error {
					fresh, err := notify.Notify(context.Background(), tx, f.clk.Now(), reminder(f.alice, "race"))
					if fresh {
						mu.Lock()
						won++
						mu.Unlock()
					}
					return err
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if won != 1 {
			t.Errorf("%d of 8 racing Notify calls recorded the event, want 1", won)
		}
	})
}

func TestNotifyRejectsIncompleteMessages(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	for _, m := range []notify.Message{
		{Kind: "task.reminder", SubjectKey: "notify.text", Dedupe: "d"},
		{UserID: 1, SubjectKey: "notify.text", Dedupe: "d"},
		{UserID: 1, Kind: "task.reminder", Dedupe: "d"},
		{UserID: 1, Kind: "task.reminder", SubjectKey: "notify.text"},
		{UserID: 1, Kind: "no.such.kind", SubjectKey: "notify.text", Dedupe: "d"}, // not in notify.Kinds
	} {
		if _, err := notify.Notify(context.Background(), d.W, t0, m); err == nil {
			t.Errorf("Notify(%+v) accepted", m)
		}
	}
}

func TestInboxIsTheOwners(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for i := range 5 {
			f.notify(t, reminder(f.alice, "a"+strconv.Itoa(i)))
			f.clk.Advance(time.Minute)
		}
		f.notify(t, reminder(f.bob, "b0"))
		aliceCtx := as(f.alice)
		all, total, err := f.svc.Inbox(aliceCtx, f.alice.ID, false, 10, 0)
		if err != nil || total != 5 || len(all) != 5 {
			t.Fatalf("alice's inbox: %d of %d, %v", len(all), total, err)
		}
		if all[0].CreatedAt.Before(all[4].CreatedAt) {
			t.Error("inbox not newest first")
		}
		if got := all[0].Text("zh-Hans"); got != "任务「长江大桥」将于 3 天后到期" {
			t.Errorf("Text = %q", got)
		}
		page, total, _ := f.svc.Inbox(aliceCtx, f.alice.ID, false, 2, 2)
		if total != 5 || len(page) != 2 || page[0].ID != all[2].ID {
			t.Errorf("page 2 of 2: %+v (total %d)", page, total)
		}
		var bobs []notify.Notification
		if bobs, _, err = f.svc.Inbox(as(f.bob), f.bob.ID, false, 10, 0); err != nil || len(bobs) != 1 {
			t.Fatalf("bob's inbox: %v, %v", bobs, err)
		}

		unread := func(u accounts.User) int {
			t.Helper()
			n, err := f.svc.UnreadCount(as(u), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		audits := func() int {
			var n int
			d.R.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'notification.read'`).Scan(&n)
			return n
		}
		for _, c := range []struct {
			name       string
			ids        []int64
			wantUnread int
			audited    int
		}{
			{"one of one's own, and someone else's", []int64{all[0].ID, bobs[0].ID}, 4, 1},
			{"an empty list", []int64{}, 4, 0},
			{"all", nil, 0, 1},
		} {
			before := audits()
			if err := f.svc.MarkRead(aliceCtx, f.alice.ID, c.ids); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := unread(f.alice); got != c.wantUnread {
				t.Errorf("%s: alice has %d unread, want %d", c.name, got, c.wantUnread)
			}
			if got := unread(f.bob); got != 1 {
				t.Errorf("%s: marking alice's read changed bob's (%d unread)", c.name, got)
			}
			if got := audits() - before; got != c.audited {
				t.Errorf("%s: %d audit entries, want %d", c.name, got, c.audited)
			}
		}
		if rest, total, _ := f.svc.Inbox(aliceCtx, f.alice.ID, true, 10, 0); total != 0 || len(rest) != 0 {
			t.Errorf("unread after marking all: %d", total)
		}

		// Nobody reads or marks another's inbox, whatever their roles.
		for _, err := range []error{
			second(f.svc.UnreadCount(as(f.sys), f.alice.ID)),
			f.svc.MarkRead(as(f.bob), f.alice.ID, nil),
			third(f.svc.Inbox(as(f.bob), f.alice.ID, false, 10, 0)),
		} {
			errstest.WantKind(t, err, errs.Forbidden)
		}
		errstest.WantKind(t, third(f.svc.Inbox(context.Background(), f.alice.ID, false, 10, 0)), errs.Unauthorized)
		errstest.WantField(t, f.svc.MarkRead(aliceCtx, f.alice.ID, make([]int64, 501)), "ids", "error.notify.too_many")

		es, _, err := (&audit.Store{DB: d}).Search(context.Background(), audit.Filter{Action: "notification.read"}, 1, 0)
		if err != nil || len(es) != 1 || es[0].ActorLogin != "alice" || es[0].ObjectID != strconv.FormatInt(f.alice.ID, 10) {
			t.Errorf("audit of MarkRead: %+v, %v", es, err)
		}
	})
}

func second[T any](_ T, err error) error { return err }

func third[T, U any](_ T, _ U, err error) error { return err }

// TestKindsNamed: every kind a webhook can take has its name in every
// language of the webhook form.
func TestKindsNamed(t *testing.T) {
	for _, k := range notify.Kinds {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, "notifyui.event."+k) {
				t.Errorf("kind %s has no name in %s", k, lang)
			}
		}
	}
}
