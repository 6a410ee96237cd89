package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"concord/internal/access"
	"concord/internal/db"
	"concord/internal/dbtest"
)

// TestLeaderSendsReportBack: the unit leader sees a send-back form on a
// submitted report of their unit and returns it with a reason; the office
// sees its own return form instead, and a reporter neither.
func TestLeaderSendsReportBack(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d.Engine)
		r := uiSubmitted(f, "SB-1")
		page := fmt.Sprintf("/reports/%d", r.ID)
		for _, c := range []struct {
			login string
			form  bool
		}{{"unit-leader", true}, {"coordinator", false}, {"reporter", false}} {
			s := pmLogin(f, c.login)
			res := f.do("GET", page, "", nil, map[string]string{"Cookie": "concord_session=" + s.token})
			if has := strings.Contains(res.Body, page+"/send-back"); has != c.form {
				t.Errorf("%s: send-back form shown %v, want %v", c.login, has, c.form)
			}
		}
		s := pmLogin(f, "unit-leader")
		form := url.Values{"csrf": {s.csrf}, "version": {fmt.Sprint(r.Version)}, "reason": {"数据口径不一致"}}
		res := f.do("POST", page+"/send-back", "", form.Encode(),
			map[string]string{"Cookie": "concord_session=" + s.token, "Content-Type": "application/x-www-form-urlencoded"})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("send back: %d %s", res.StatusCode, res.Body)
		}
		got, err := f.Plans.Report(uiCtx(f.Users[access.Coordinator]), r.ID)
		if err != nil || got.State != "returned" || got.ReturnReason != "数据口径不一致" {
			t.Fatalf("after send-back: %v %+v", err, got)
		}
	})
}
