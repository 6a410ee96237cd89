package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"concord/internal/access"
	"concord/internal/db"
	"concord/internal/dbtest"
)

func TestAPIBasics(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d.Engine)
		sys := f.token("sys-admin")

		me := f.do("GET", "/api/v1/me", sys, nil, nil)
		if me.StatusCode != 200 || me.JSON["login"] != "sys-admin" {
			t.Fatalf("/me: %d %s", me.StatusCode, me.Body)
		}
		if roles := fmt.Sprint(me.JSON["roles"]); roles != "[sys_admin]" {
			t.Errorf("/me roles = %s", roles)
		}

		cases := []struct {
			name, method, path, body string
			header                   map[string]string
			status                   int
			want                     string
		}{
			{"malformed JSON", "POST", "/api/v1/units", `{"code":`, nil, 400, "json"},
			{"unknown field", "POST", "/api/v1/units", `{"code":"x","bogus":1}`, nil, 422, "bogus"},
			{"wrong type", "POST", "/api/v1/units", `{"code":5}`, nil, 422, "code"},
			{"missing name", "POST", "/api/v1/units", `{"code":"dl","kind":"city","name":{}}`, nil, 422, "name.zh_hans"},
			{"bad kind", "POST", "/api/v1/units", `{"code":"dl","kind":"planet","name":{"zh_hans":"大连"}}`, nil, 422, "kind"},
			{"too long", "POST", "/api/v1/units", `{"code":"dl","kind":"city","name":{"zh_hans":"` + strings.Repeat("长", 201) + `"}}`, nil, 422, "name.zh_hans"},
			{"trailing data", "POST", "/api/v1/units", `{"code":"dl"} {}`, nil, 400, "json"},
			{"oversized", "POST", "/api/v1/units", `{"code":"` + strings.Repeat("x", 2<<20) + `"}`, nil, 413, "too_large"},
			{"unknown id", "GET", "/api/v1/units/99999", "", nil, 404, "not_found"},
			{"bad id", "GET", "/api/v1/units/abc", "", nil, 404, "not_found"},
			{"no if-match", "PUT", "/api/v1/units/1", `{"code":"own","kind":"city","name":{"zh_hans":"本单位"}}`, nil, 422, "if_match"},
			{"bad date", "GET", "/api/v1/audit?from=2018-13-45", "", nil, 403, "forbidden"},
			{"bad page", "GET", "/api/v1/units?page=0", "", nil, 200, ""},
		}
		before := f.auditCount()
		for _, c := range cases {
			var body any
			if c.body != "" {
				body = c.body
			}
			res := f.do(c.method, c.path, sys, body, c.header)
			if res.StatusCode != c.status {
				t.Errorf("%s: status %d, want %d (%s)", c.name, res.StatusCode, c.status, res.Body)
				continue
			}
			if c.status >= 400 {
				if res.JSON["code"] == nil || res.JSON["message"] == nil || res.JSON["request_id"] == nil {
					t.Errorf("%s: not the error shape: %s", c.name, res.Body)
				}
				if !strings.Contains(res.Body, c.want) {
					t.Errorf("%s: body lacks %q: %s", c.name, c.want, res.Body)
				}
			}
		}
		// Only the one permission denial (sys-admin reading the audit trail) was recorded.
		if n := f.auditCount() - before; n != 1 {
			t.Errorf("bad input wrote %d audit rows, want 1 (the denial)", n)
		}

		// Create, then a stale update gets 409 with the current state.
		res := f.do("POST", "/api/v1/units", sys, map[string]any{"code": "dalian", "kind": "city", "name": map[string]string{"zh_hans": "大连市"}}, nil)
		if res.StatusCode != 201 || res.Header.Get("ETag") != `"v1"` {
			t.Fatalf("create: %d %s %v", res.StatusCode, res.Body, res.Header)
		}
		loc := res.Header.Get("Location")
		upd := map[string]any{"code": "dalian", "kind": "city", "name": map[string]string{"zh_hans": "大连"}}
		if res := f.do("PUT", loc, sys, upd, map[string]string{"If-Match": `"v1"`}); res.StatusCode != 200 || res.Header.Get("ETag") != `"v2"` {
			t.Fatalf("update: %d %s", res.StatusCode, res.Body)
		}
		res = f.do("PUT", loc, sys, upd, map[string]string{"If-Match": `"v1"`})
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("stale update: %d %s", res.StatusCode, res.Body)
		}
		if cur, ok := res.JSON["current"].(map[string]any); !ok || cur["version"] != float64(2) {
			t.Errorf("409 lacks current state: %s", res.Body)
		}

		// Messages follow the request's language.
		for lang, want := range map[string]string{"zh-CN": "找不到", "zh-TW": "找不到", "en": "No such"} {
			res := f.do("GET", "/api/v1/units/99999", sys, nil, map[string]string{"Accept-Language": lang})
			if !strings.Contains(res.JSON["message"].(string), want) {
				t.Errorf("%s: message %q lacks %q", lang, res.JSON["message"], want)
			}
		}
	})
}

func TestSessionCookieNeedsCSRF(t *testing.T) {
	f := newFixture(t, db.SQLite)
	tok := f.token("sys-admin")
	cookie := map[string]string{"Cookie": "concord_session=" + tok}
	body := map[string]any{"code": "x1", "kind": "city", "name": map[string]string{"zh_hans": "甲"}}
	if res := f.do("POST", "/api/v1/units", "", body, cookie); res.StatusCode != 403 || !strings.Contains(res.Body, "csrf") {
		t.Fatalf("cookie without CSRF token: %d %s", res.StatusCode, res.Body)
	}
	res := f.do("POST", "/api/v1/session", "", map[string]string{"login": "sys-admin", "password": testPassword}, nil)
	csrf := res.JSON["csrf_token"].(string)
	cookie = map[string]string{"Cookie": "concord_session=" + res.JSON["token"].(string), "X-CSRF-Token": csrf}
	if res := f.do("POST", "/api/v1/units", "", body, cookie); res.StatusCode != 201 {
		t.Fatalf("cookie with CSRF token: %d %s", res.StatusCode, res.Body)
	}
	// A stale session cookie does not stand in the way of signing in again.
	stale := map[string]string{"Cookie": "concord_session=expired-or-forged"}
	if res := f.do("POST", "/api/v1/session", "", map[string]string{"login": "sys-admin", "password": testPassword}, stale); res.StatusCode != 201 {
		t.Fatalf("login with a stale cookie: %d %s", res.StatusCode, res.Body)
	}
	cookie["Origin"] = "http://evil.example"
	body["code"] = "x2"
	if res := f.do("POST", "/api/v1/units", "", body, cookie); res.StatusCode != 403 {
		t.Fatalf("foreign origin: %d %s", res.StatusCode, res.Body)
	}
}

func TestRowLevelUsers(t *testing.T) {
	f := newFixture(t, db.SQLite)
	leader := f.token("unit-leader")
	res := f.do("GET", "/api/v1/users", leader, nil, nil)
	if res.StatusCode != 200 {
		t.Fatalf("list: %d %s", res.StatusCode, res.Body)
	}
	for _, it := range res.JSON["items"].([]any) {
		if it.(map[string]any)["unit_id"] != float64(f.Own.ID) {
			t.Errorf("leader sees a user of another unit: %v", it)
		}
	}
	if res := f.do("GET", fmt.Sprintf("/api/v1/users?unit_id=%d", f.Other.ID), leader, nil, nil); res.StatusCode != 403 {
		t.Errorf("other unit's list: %d", res.StatusCode)
	}
	if res := f.do("GET", fmt.Sprintf("/api/v1/users/%d", f.Peer.ID), leader, nil, nil); res.StatusCode != 403 {
		t.Errorf("other unit's user: %d", res.StatusCode)
	}
	if res := f.do("GET", fmt.Sprintf("/api/v1/users/%d", f.Users[access.Reporter].ID), leader, nil, nil); res.StatusCode != 200 {
		t.Errorf("own unit's user: %d", res.StatusCode)
	}
}

// TestServiceDenialsAreAudited: a refusal by a service's own rule (here,
// changing one's own roles) is on the audit trail like a route's.
func TestServiceDenialsAreAudited(t *testing.T) {
	f := newFixture(t, db.SQLite)
	sec := f.Users[access.SecAdmin]
	before := f.auditCount()
	res := f.do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", sec.ID), f.token("sec-admin"), map[string]any{"roles": []string{"sec_admin", "viewer"}},
		map[string]string{"If-Match": fmt.Sprintf(`"v%d"`, sec.Version)})
	if res.StatusCode != 403 || res.JSON["code"] != "grant.self" {
		t.Fatalf("own roles: %d %s", res.StatusCode, res.Body)
	}
	var action, detail string
	if err := f.DB.R.QueryRow(`SELECT action, detail FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&action, &detail); err != nil {
		t.Fatal(err)
	}
	// One row for the login, one for the denial.
	if n := f.auditCount() - before; n != 2 || action != "permission.denied" || !strings.Contains(detail, "/roles") {
		t.Fatalf("%d new rows, last %s %q", n, action, detail)
	}
}
