package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/errs/errstest"
	"concord/internal/notify"
)

func TestWebhookValidation(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	f := setup(t, d)
	valid := notify.WebhookInput{Name: "OA 系统", URL: "https://oa.example.cn/concord", Events: []string{"task.reminder"}}
	with := func(fn func(*notify.WebhookInput)) notify.WebhookInput {
		in := valid
		fn(&in)
		return in
	}
	for _, c := range []struct {
		name       string
		in         notify.WebhookInput
		field, key string
	}{
		{"no name", with(func(in *notify.WebhookInput) { in.Name = " " }), "name", "error.required"},
		{"a long name", with(func(in *notify.WebhookInput) { in.Name = strings.Repeat("名", 101) }), "name", "error.too_long"},
		{"no URL", with(func(in *notify.WebhookInput) { in.URL = "" }), "url", "error.required"},
		{"a relative URL", with(func(in *notify.WebhookInput) { in.URL = "/hook" }), "url", "error.webhook.url"},
		{"another scheme", with(func(in *notify.WebhookInput) { in.URL = "ftp://example.cn/hook" }), "url", "error.webhook.url"},
		{"no host", with(func(in *notify.WebhookInput) { in.URL = "https:///hook" }), "url", "error.webhook.url"},
		{"no events", with(func(in *notify.WebhookInput) { in.Events = nil }), "events", "error.webhook.events"},
		{"a malformed event", with(func(in *notify.WebhookInput) { in.Events = []string{"task.reminder", "Task Reminder"} }), "events", "error.webhook.events"},
		{"an empty event", with(func(in *notify.WebhookInput) { in.Events = []string{""} }), "events", "error.webhook.events"},
	} {
		_, _, err := f.svc.CreateWebhook(as(f.sys), c.in)
		errstest.WantField(t, err, c.field, c.key)
	}
	for _, c := range []struct {
		events, want []string
	}{
		{[]string{" task.reminder", "task.chase", "task.reminder"}, []string{"task.chase", "task.reminder"}},
		{[]string{"task.chase", "*"}, []string{"*"}},
	} {
		w, _, err := f.svc.CreateWebhook(as(f.sys), with(func(in *notify.WebhookInput) { in.Name, in.Events = strings.Join(c.events, "|"), c.events }))
		if err != nil || !slices.Equal(w.Events, c.want) {
			t.Errorf("events %q stored as %q (%v), want %q", c.events, w.Events, err, c.want)
		}
	}
}

func TestWebhookLifecycle(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		sys := as(f.sys)
		ctx := context.Background()
		lastAudit := func() audit.Entry {
			t.Helper()
			es, _, err := (&audit.Store{DB: d}).Search(ctx, audit.Filter{ObjectType: "webhook"}, 1, 0)
			if err != nil || len(es) == 0 {
				t.Fatalf("no audit entry: %v", err)
			}
			return es[0]
		}

		// Only the system administrator manages webhooks.
		in := notify.WebhookInput{Name: "OA", URL: "https://oa.example.cn/hook", Events: []string{"*"}}
		for _, c := range []struct {
			ctx  context.Context
			kind errs.Kind
		}{{as(f.alice), errs.Forbidden}, {ctx, errs.Unauthorized}} {
			_, _, err := f.svc.CreateWebhook(c.ctx, in)
			errstest.WantKind(t, err, c.kind)
			_, err = f.svc.Webhooks(c.ctx)
			errstest.WantKind(t, err, c.kind)
		}

		w, secret, err := f.svc.CreateWebhook(sys, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(secret) < 32 || !w.Active || w.Version != 1 {
			t.Errorf("created %+v with secret %q", w, secret)
		}
		if e := lastAudit(); e.Action != "webhook.create" || strings.Contains(string(e.After), secret) {
			t.Errorf("audit entry %s %s", e.Action, e.After)
		}
		_, _, err = f.svc.CreateWebhook(sys, in)
		if e := errstest.WantKind(t, err, errs.Conflict); len(e.Fields) != 1 || e.Fields[0].Field != "name" {
			t.Errorf("duplicate name: %v", err)
		}

		in.URL = "https://oa.example.cn/v2/hook"
		updated, err := f.svc.UpdateWebhook(sys, w.ID, in, w.Version)
		if err != nil || updated.URL != in.URL || updated.Version != 2 {
			t.Fatalf("update: %+v, %v", updated, err)
		}
		if e := lastAudit(); e.Action != "webhook.update" || !strings.Contains(string(e.Before), "/hook") || !strings.Contains(string(e.After), "/v2/hook") {
			t.Errorf("audit entry %s %s → %s", e.Action, e.Before, e.After)
		}
		_, err = f.svc.UpdateWebhook(sys, w.ID, in, w.Version)
		if e := errstest.WantKind(t, err, errs.Conflict); e.Current.(notify.Webhook).Version != 2 {
			t.Errorf("stale update: current %+v", e.Current)
		}
		errstest.WantKind(t, f.svc.DeleteWebhook(sys, w.ID, w.Version), errs.Conflict)
		_, err = f.svc.UpdateWebhook(sys, 999, in, 1)
		errstest.WantKind(t, err, errs.NotFound)

		// Deleting drops the webhook's unsent calls, not the e-mails.
		f.notify(t, reminder(f.alice, "before-delete"))
		if err := f.svc.DeleteWebhook(sys, w.ID, updated.Version); err != nil {
			t.Fatal(err)
		}
		if e := lastAudit(); e.Action != "webhook.delete" || !strings.Contains(string(e.Before), "/v2/hook") {
			t.Errorf("audit entry %s %s", e.Action, e.Before)
		}
		if hooks, mails := f.outbox(t, "webhook"), f.outbox(t, "email"); hooks != 0 || mails != 1 {
			t.Errorf("after delete: %d webhook calls, %d e-mails queued", hooks, mails)
		}
		if list, err := f.svc.Webhooks(sys); err != nil || len(list) != 0 {
			t.Errorf("after delete: %+v, %v", list, err)
		}
		_, err = f.svc.Webhook(sys, w.ID)
		errstest.WantKind(t, err, errs.NotFound)
	})
}
