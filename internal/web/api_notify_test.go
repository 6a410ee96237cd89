package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/i18n"
	"concord/internal/notify"
)

// The request bodies of the notification and webhook API, for TestOpenAPI's
// RequestBodies check (oaRequestBodies in openapi_test.go).
func init() {
	for id, body := range map[string]any{
		"markNotificationsRead": oaFields{"ids": nil}, // web.readBody
		"createWebhook":         notify.WebhookInput{},
		"updateWebhook":         notify.WebhookInput{},
	} {
		oaRequestBodies[id] = body
	}
}

// ntSeq makes every seeded notification's dedupe key unique.
var ntSeq struct {
	sync.Mutex
	n int
}

// ntNotify gives user a notification that a report was returned, as the
// supervision cycle does, and returns its id.
func ntNotify(f *fixture, user int64, reason string) int64 {
	f.t.Helper()
	ntSeq.Lock()
	ntSeq.n++
	dedupe := fmt.Sprintf("test:%d", ntSeq.n)
	ntSeq.Unlock()
	err := f.DB.Tx(context.Background(), func(tx *sql.Tx) error {
		_, err := notify.Notify(context.Background(), tx, time.Now(), notify.Message{UserID: user, Kind: "report.returned",
			SubjectKey: "notice.report.returned", Args: []string{"T-1", "任务 T-1", "2026-03-31", reason},
			Link: fmt.Sprintf("/reports/%d", f.ReportOwn.ID), ObjectType: "report", ObjectID: fmt.Sprint(f.ReportOwn.ID), Dedupe: dedupe})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	var id int64
	if err := f.DB.R.QueryRow(`SELECT id FROM notifications WHERE dedupe = $1`, dedupe).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// ntHook is a webhook named name, made through the service as the system
// administrator the first time it is asked for.
func ntHook(f *fixture, name string) notify.Webhook {
	f.t.Helper()
	sys := access.WithActor(context.Background(), &access.Actor{UserID: f.Users[access.SysAdmin].ID, Login: "sys-admin", UnitID: f.Own.ID, Roles: []access.Role{access.SysAdmin}})
	svc := &notify.Service{DB: f.DB, Clock: clock.System}
	hs, err := svc.Webhooks(sys)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, h := range hs {
		if h.Name == name {
			return h
		}
	}
	h, _, err := svc.CreateWebhook(sys, notify.WebhookInput{Name: name, URL: "https://example.org/" + name, Events: []string{"report.returned"}})
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

func TestNotificationsAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		reporter, viewer := f.Users[access.Reporter].ID, f.Users[access.Viewer].ID
		mine := []int64{ntNotify(f, reporter, "数据不全"), ntNotify(f, reporter, "口径不一"), ntNotify(f, reporter, "缺少佐证")}
		theirs := ntNotify(f, viewer, "别人的")

		res := a.do("reporter", "GET", "/notifications", nil, nil)
		a.want("list", res, http.StatusOK, "")
		items := apItems(t, res)
		if res.JSON["total"] != float64(3) || len(items) != 3 || apNum(items[0]["id"]) != mine[2] || items[0]["read_at"] != nil {
			t.Fatalf("list: %s", res.Body)
		}
		if want := i18n.T("zh-Hans", "notice.report.returned", "T-1", "任务 T-1", "2026-03-31", "缺少佐证"); items[0]["text"] != want {
			t.Errorf("text %q, want %q", items[0]["text"], want)
		}
		en := a.do("reporter", "GET", "/notifications?per_page=1&page=2", nil, map[string]string{"Accept-Language": "en"})
		if items := apItems(t, en); len(items) != 1 || apNum(items[0]["id"]) != mine[1] || !strings.HasPrefix(items[0]["text"].(string), "The progress report on task T-1") {
			t.Errorf("second page in English: %s", en.Body)
		}
		a.want("bad page", a.do("reporter", "GET", "/notifications?page=0", nil, nil), http.StatusUnprocessableEntity, "")

		unread := func(login string) float64 {
			t.Helper()
			res := a.do(login, "GET", "/notifications/unread", nil, nil)
			a.want("unread "+login, res, http.StatusOK, "")
			return res.JSON["count"].(float64)
		}
		if unread("reporter") != 3 || unread("viewer") != 1 {
			t.Fatalf("unread counts before marking")
		}

		// Marking names one's own and someone else's: only one's own is marked.
		mark := arLastID(f)
		res = a.do("reporter", "POST", "/notifications/read", map[string]any{"ids": []int64{mine[0], theirs}}, nil)
		a.want("mark two", res, http.StatusOK, "")
		if res.JSON["count"] != float64(2) || unread("viewer") != 1 {
			t.Errorf("after marking: %s, viewer %v", res.Body, unread("viewer"))
		}
		if rows := arRowsAfter(f, mark); len(rows) != 1 || rows[0].Action != "notification.read" || rows[0].Actor != "reporter" {
			t.Errorf("audit rows %+v", rows)
		}
		res = a.do("reporter", "GET", "/notifications?unread=1", nil, nil)
		if items := apItems(t, res); res.JSON["total"] != float64(2) || slices.ContainsFunc(items, func(m map[string]any) bool { return apNum(m["id"]) == mine[0] }) {
			t.Errorf("unread list: %s", res.Body)
		}

		// Refused bodies write nothing.
		mark = arLastID(f)
		a.want("ids not a list", a.do("reporter", "POST", "/notifications/read", `{"ids":"all"}`, nil), http.StatusUnprocessableEntity, "invalid")
		a.want("unknown field", a.do("reporter", "POST", "/notifications/read", `{"all":true}`, nil), http.StatusUnprocessableEntity, "invalid")
		a.want("empty body", a.do("reporter", "POST", "/notifications/read", "", nil), http.StatusBadRequest, "json.empty")
		a.wantField("too many", a.do("reporter", "POST", "/notifications/read", map[string]any{"ids": make([]int64, 501)}, nil), "ids")
		if rows := arRowsAfter(f, mark); len(rows) != 0 {
			t.Errorf("refused marks wrote %+v", rows)
		}

		// {} marks all of one's own, and nobody else's.
		res = a.do("reporter", "POST", "/notifications/read", map[string]any{}, nil)
		if res.StatusCode != http.StatusOK || res.JSON["count"] != float64(0) || unread("viewer") != 1 {
			t.Errorf("mark all: %s", res.Body)
		}
		a.want("anonymous", a.do("", "GET", "/notifications", nil, nil), http.StatusUnauthorized, "unauthorized")
	})
}

// TestWebhooksAPI: only the system administrator manages webhooks; changes
// are versioned; the secret comes once, and the deliveries it signs verify.
func TestWebhooksAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		for _, login := range []string{"coordinator", "sec-admin", "audit-admin"} {
			a.want(login+" lists", a.do(login, "GET", "/webhooks", nil, nil), http.StatusForbidden, "forbidden")
			a.want(login+" creates", a.do(login, "POST", "/webhooks", map[string]any{"name": "x", "url": "https://example.org", "events": []string{"*"}}, nil), http.StatusForbidden, "forbidden")
		}

		var mu sync.Mutex
		var got []*http.Request
		var bodies [][]byte
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got, bodies = append(got, r), append(bodies, b)
			mu.Unlock()
		}))
		defer recv.Close()

		res := a.do("sys-admin", "POST", "/webhooks", map[string]any{"name": "督办平台", "url": recv.URL + "/hook", "events": []string{"task.chase", "report.returned"}}, nil)
		a.want("create", res, http.StatusCreated, "")
		secret, _ := res.JSON["secret"].(string)
		id := apNum(res.JSON["id"])
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(secret) || res.Header.Get("ETag") != `"v1"` ||
			res.Header.Get("Location") != fmt.Sprintf("/api/v1/webhooks/%d", id) || fmt.Sprint(res.JSON["events"]) != "[report.returned task.chase]" {
			t.Fatalf("created: %s %v", res.Body, res.Header)
		}
		path := fmt.Sprintf("/webhooks/%d", id)
		for _, r := range []result{a.do("sys-admin", "GET", "/webhooks", nil, nil), a.do("sys-admin", "GET", path, nil, nil)} {
			if r.StatusCode != http.StatusOK || strings.Contains(r.Body, secret) || !strings.Contains(r.Body, "督办平台") {
				t.Errorf("read back: %d %s", r.StatusCode, r.Body)
			}
		}
		if strings.Contains(fmt.Sprint(arRowsAfter(f, 0)), secret) {
			t.Error("the secret is on the audit trail")
		}

		// A delivery of a subscribed event is signed with that secret.
		ntNotify(f, f.Users[access.Reporter].ID, "请补充")
		if n, err := (&notify.Service{DB: f.DB, Clock: clock.System, BaseURL: "https://concord.example"}).Deliver(context.Background()); err != nil || n != 1 {
			t.Fatalf("deliver: %d %v", n, err)
		}
		if len(got) != 1 || got[0].Header.Get("Concord-Event") != "report.returned" ||
			notify.VerifySignature(secret, got[0].Header.Get("Concord-Signature"), bodies[0], time.Now(), time.Minute) != nil {
			t.Errorf("delivery: %d requests; %v", len(got), got)
		}

		// Versioned changes.
		body := map[string]any{"name": "督办平台", "url": recv.URL + "/hook", "events": []string{"*"}, "active": false}
		a.want("no If-Match", a.do("sys-admin", "PUT", path, body, nil), http.StatusUnprocessableEntity, "if_match_required")
		res = a.do("sys-admin", "PUT", path, body, arIfMatch(1))
		a.want("update", res, http.StatusOK, "")
		if res.Header.Get("ETag") != `"v2"` || res.JSON["active"] != false || fmt.Sprint(res.JSON["events"]) != "[*]" {
			t.Errorf("updated: %s", res.Body)
		}
		res = a.do("sys-admin", "PUT", path, body, arIfMatch(1))
		a.want("stale update", res, http.StatusConflict, "stale_version")
		if cur, _ := res.JSON["current"].(map[string]any); cur["version"] != float64(2) {
			t.Errorf("stale update's current: %s", res.Body)
		}
		a.wantField("bad url", a.do("sys-admin", "PUT", path, map[string]any{"name": "x", "url": "ftp://example.org", "events": []string{"*"}}, arIfMatch(2)), "url")
		a.wantField("no events", a.do("sys-admin", "POST", "/webhooks", map[string]any{"name": "y", "url": "https://example.org", "events": []string{}}, nil), "events")
		a.want("duplicate name", a.do("sys-admin", "POST", "/webhooks", map[string]any{"name": "督办平台", "url": "https://example.org", "events": []string{"*"}}, nil), http.StatusConflict, "duplicate")
		a.want("coordinator deletes", a.do("coordinator", "DELETE", path, nil, arIfMatch(2)), http.StatusForbidden, "forbidden")
		a.want("stale delete", a.do("sys-admin", "DELETE", path, nil, arIfMatch(1)), http.StatusConflict, "stale_version")
		a.want("delete", a.do("sys-admin", "DELETE", path, nil, arIfMatch(2)), http.StatusNoContent, "")
		a.want("gone", a.do("sys-admin", "GET", path, nil, nil), http.StatusNotFound, "not_found")
		a.want("bad id", a.do("sys-admin", "GET", "/webhooks/x", nil, nil), http.StatusNotFound, "not_found")
	})
}
