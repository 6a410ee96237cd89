package web_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/plans"
)

// apMove is one move of a report through review, made by a user allowed to.
type apMove struct {
	login, method, suffix string
	body                  any
}

var apMoves = map[string]apMove{
	"save":    {"reporter", "PUT", "", map[string]any{"narrative": "初稿", "percent": 20}},
	"submit":  {"reporter", "POST", "/submit", map[string]any{"narrative": "按计划推进", "percent": 30, "self_status": "on_track"}},
	"approve": {"unit-leader", "POST", "/approve", nil},
	"accept":  {"coordinator", "POST", "/accept", nil},
	"return":  {"coordinator", "POST", "/return", map[string]string{"reason": "请补充佐证材料"}},
}

var apMoveNames = []string{"save", "submit", "approve", "accept", "return"}

// apReach are the moves that bring a pending report to each state.
var apReach = map[string][]string{
	"pending": nil, "draft": {"save"}, "submitted": {"submit"}, "approved": {"submit", "approve"},
	"accepted": {"submit", "approve", "accept"}, "returned": {"submit", "return"},
}

var apStates = []string{"pending", "draft", "submitted", "approved", "accepted", "returned"}

// apReview is the review state machine as it is meant to be, with the unit
// leader's approval on: state → the moves allowed → the state they lead to.
// Every other move is refused.
var apReview = map[string]map[string]string{
	"pending":   {"save": "draft", "submit": "submitted"},
	"draft":     {"save": "draft", "submit": "submitted"},
	"submitted": {"approve": "approved", "return": "returned"},
	"approved":  {"accept": "accepted", "return": "returned"},
	"accepted":  {},
	"returned":  {"save": "returned", "submit": "submitted"},
}

// apETag is the version an answer's ETag names.
func apETag(t *testing.T, res result) int {
	t.Helper()
	v, err := strconv.Atoi(strings.Trim(res.Header.Get("ETag"), `"v`))
	if err != nil {
		t.Fatalf("ETag %q: %s", res.Header.Get("ETag"), pmSnippet(res.Body))
	}
	return v
}

// move makes a review move on report id at version.
func (a *apAPI) move(id int64, version int, name string) result {
	a.t.Helper()
	m := apMoves[name]
	return a.do(m.login, m.method, fmt.Sprintf("/reports/%d%s", id, m.suffix), m.body, arIfMatch(version))
}

// TestPlanAPIReviewStateMachine makes every move of review from every state
// through the API: each either succeeds as the state machine says or is
// refused with 409 report.transition, changing nothing.
func TestPlanAPIReviewStateMachine(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		res := a.do("coordinator", "GET", "/settings", nil, nil)
		if res.Header.Get("ETag") != `"v1"` {
			t.Fatalf("the rules as shipped: ETag %q", res.Header.Get("ETag"))
		}
		rules := res.JSON
		rules["leader_approval"] = true
		a.want("leader approval on", a.do("coordinator", "PUT", "/settings", rules, map[string]string{"If-Match": `"v1"`}), http.StatusOK, "")

		// A report a day for a month: a fresh report for every case.
		today := clock.Today(clock.System)
		var dates []clock.Date
		for i := -39; i <= -10; i++ {
			dates = append(dates, today.AddDays(i))
		}
		task := apTask(f, "T-SM", f.Own.ID, f.Other.ID, func(in *plans.TaskInput) { in.Cycle, in.ReportDates = plans.Custom, dates })
		fresh := apReports(f, task.ID, f.Own.ID, plans.Pending)
		if len(fresh) < len(apStates)*len(apMoveNames) {
			t.Fatalf("only %d reports", len(fresh))
		}
		for _, state := range apStates {
			for _, name := range apMoveNames {
				r := fresh[0]
				fresh = fresh[1:]
				v := r.Version
				for _, step := range apReach[state] {
					res := a.move(r.ID, v, step)
					if res.StatusCode != http.StatusOK {
						t.Fatalf("reaching %s by %s: %d %s", state, step, res.StatusCode, res.Body)
					}
					v = apETag(t, res)
				}
				where := state + " → " + name
				res := a.move(r.ID, v, name)
				if to, ok := apReview[state][name]; ok {
					if a.want(where, res, http.StatusOK, ""); res.JSON["state"] != to || apETag(t, res) != v+1 {
						t.Errorf("%s: state %v, ETag %s; want %s, v%d", where, res.JSON["state"], res.Header.Get("ETag"), to, v+1)
					}
					continue
				}
				a.want(where, res, http.StatusConflict, "report.transition")
				if now := a.do("viewer", "GET", fmt.Sprintf("/reports/%d", r.ID), nil, nil); now.JSON["state"] != state || apETag(t, now) != v {
					t.Errorf("%s: refused, yet the report is now %v at %s", where, now.JSON["state"], now.Header.Get("ETag"))
				}
			}
		}

		// Without leader approval the office accepts what was submitted.
		rules["leader_approval"] = false
		a.want("leader approval off", a.do("coordinator", "PUT", "/settings", rules, map[string]string{"If-Match": `"v2"`}), http.StatusOK, "")
		r := apSubmitted(f, "T-SM2")
		a.want("approve without leader approval", a.move(r.ID, r.Version, "approve"), http.StatusConflict, "report.no_approval")
		a.want("accept a submitted report", a.move(r.ID, r.Version, "accept"), http.StatusOK, "")
	})
}

// TestPlanAPIReturnedReport: a returned report says why, is resubmitted,
// and keeps its first submission's time; a stale version is refused with
// the report as it stands.
func TestPlanAPIReturnedReport(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		r := apSubmitted(a.f, "T-RET")
		path := fmt.Sprintf("/reports/%d", r.ID)

		a.wantField("return without a reason", a.do("coordinator", "POST", path+"/return", map[string]string{"reason": " "}, arIfMatch(r.Version)), "reason")
		res := a.move(r.ID, r.Version, "return")
		a.want("return", res, http.StatusOK, "")
		got := a.do("reporter", "GET", path, nil, nil)
		if got.JSON["state"] != "returned" || got.JSON["return_reason"] != "请补充佐证材料" || got.JSON["returns"] != float64(1) || got.JSON["reviewed_by"] != "coordinator" {
			t.Errorf("returned report: %s", got.Body)
		}
		v := apETag(t, got)

		a.want("stale save", a.do("reporter", "PUT", path, map[string]any{"narrative": "旧版本"}, arIfMatch(r.Version)), http.StatusConflict, "stale_version")
		stale := a.do("reporter", "POST", path+"/submit", apMoves["submit"].body, arIfMatch(v-1))
		a.want("stale submit", stale, http.StatusConflict, "stale_version")
		if cur, _ := stale.JSON["current"].(map[string]any); cur == nil || cur["state"] != "returned" || cur["version"] != float64(v) {
			t.Errorf("stale submit lacks the current report: %s", stale.Body)
		}
		a.wantField("resubmit without a narrative", a.do("reporter", "POST", path+"/submit", map[string]any{"percent": 50, "self_status": "on_track"}, arIfMatch(v)), "narrative")
		a.wantField("percent out of range", a.do("reporter", "PUT", path, map[string]any{"percent": 120}, arIfMatch(v)), "percent")

		res = a.do("reporter", "POST", path+"/submit", map[string]any{"narrative": "已补充材料", "percent": 50, "self_status": "at_risk"}, arIfMatch(v))
		if a.want("resubmit", res, http.StatusOK, ""); res.JSON["state"] != "submitted" || res.JSON["narrative"] != "已补充材料" {
			t.Errorf("resubmitted: %s", res.Body)
		}
		if res.JSON["first_submitted_at"] != got.JSON["first_submitted_at"] || res.JSON["returns"] != float64(1) {
			t.Errorf("resubmission changed the first submission or the count of returns: %s", res.Body)
		}
		a.want("accept the resubmission", a.move(r.ID, apETag(t, res), "accept"), http.StatusOK, "")
		a.want("the other unit's reporter", a.do("peer", "PUT", path, map[string]any{}, arIfMatch(v)), http.StatusForbidden, "forbidden")
	})
}
