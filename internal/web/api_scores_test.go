package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"concord/internal/db"
	"concord/internal/dbtest"
)

// TestScorecardAPI takes a scorecard through the API: a model refused for
// its weights, then made; a scorecard started and published; an appeal by
// the unit (and one refused for another unit); the office upholds it, which
// makes a new revision. Every answer matches the OpenAPI document.
func TestScorecardAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d.Engine)
		spec := oaServedSpec(t, f)
		// call sends a request and checks the answer against the documented
		// response of operation key ("METHOD /path" as documented).
		call := func(key, path, token string, body any, header map[string]string, status int) result {
			t.Helper()
			method, _, _ := strings.Cut(key, " ")
			res := f.do(method, "/api/v1"+path, token, body, header)
			if res.StatusCode != status {
				t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, status, res.Body)
			}
			for _, o := range spec.operations() {
				if o.method+" "+o.path == key {
					spec.validateBody(t, key, res, spec.response(o, fmt.Sprint(status)))
					return res
				}
			}
			t.Fatalf("%s is not documented", key)
			return res
		}
		id := func(res result) int64 { return int64(res.JSON["id"].(float64)) }
		version := func(res result) map[string]string { return map[string]string{"If-Match": res.Header.Get("ETag")} }
		coord, reporter, peer := f.token("coordinator"), f.token("reporter"), f.token("peer")

		model := map[string]any{"name": "接口考核模型", "total": 100, "appeal_days": 7, "items": []map[string]any{
			{"kind": "task_on_time", "label": "任务按期完成", "weight": 70, "cap": 40},
			{"kind": "manual", "label": "领导评价", "weight": 20, "cap": 20}}}
		res := call("POST /score-models", "/score-models", coord, model, nil, http.StatusUnprocessableEntity)
		if !strings.Contains(res.Body, `"field":"items"`) || !strings.Contains(res.Body, "90") {
			t.Fatalf("the weights' sum is named: %s", res.Body)
		}
		model["items"].([]map[string]any)[1]["weight"] = 30
		m := call("POST /score-models", "/score-models", coord, model, nil, http.StatusCreated)
		call("GET /score-models/{id}", fmt.Sprintf("/score-models/%d", id(m)), reporter, nil, nil, http.StatusOK)
		call("GET /score-models", "/score-models", reporter, nil, nil, http.StatusOK)

		c := call("POST /scorecards", "/scorecards", coord, map[string]any{"model_id": id(m), "title": "接口考核", "period_kind": "year", "starts_on": "2026-01-01"}, nil, http.StatusCreated)
		card := fmt.Sprintf("/scorecards/%d", id(c))
		c = call("PUT /scorecards/{id}/manual", card+"/manual", coord, map[string]any{"unit_id": f.Own.ID, "position": 2, "points": 25}, version(c), http.StatusOK)
		call("GET /scorecards/{id}", card, reporter, nil, nil, http.StatusOK)
		c = call("POST /scorecards/{id}/publication", card+"/publication", coord, nil, version(c), http.StatusOK)
		if c.JSON["status"] != "published" || c.JSON["revision"].(float64) != 1 {
			t.Fatalf("published: %s", c.Body)
		}
		call("POST /scorecards/{id}/units/{unit}/appeals", fmt.Sprintf("%s/units/%d/appeals", card, f.Own.ID), peer, map[string]any{"position": 2, "reason": "x"}, nil, http.StatusForbidden)
		a := call("POST /scorecards/{id}/units/{unit}/appeals", fmt.Sprintf("%s/units/%d/appeals", card, f.Own.ID), reporter,
			map[string]any{"position": 2, "reason": "领导评价未计入专项工作"}, nil, http.StatusCreated)
		call("GET /appeals", "/appeals", coord, nil, nil, http.StatusOK)
		call("GET /appeals/{id}", fmt.Sprintf("/appeals/%d", id(a)), coord, nil, nil, http.StatusOK)
		a = call("PUT /appeals/{id}/ruling", fmt.Sprintf("/appeals/%d/ruling", id(a)), coord, map[string]any{"uphold": true, "points": 28, "reason": "补充材料属实"}, version(a), http.StatusOK)
		if a.JSON["status"] != "upheld" {
			t.Fatalf("ruling: %s", a.Body)
		}
		got := call("GET /scorecards/{id}", card, reporter, nil, nil, http.StatusOK)
		if got.JSON["revision"].(float64) != 2 {
			t.Fatalf("an upheld appeal makes revision 2: %s", got.Body)
		}
		call("GET /scorecards/{id}/revisions", card+"/revisions", reporter, nil, nil, http.StatusOK)
		call("GET /scorecards/{id}/appeals", card+"/appeals", reporter, nil, nil, http.StatusOK)
		rk := call("GET /scorecards/{id}/ranking", card+"/ranking", reporter, nil, nil, http.StatusOK)
		if !strings.Contains(rk.Body, `"rank":1`) {
			t.Fatalf("ranking: %s", rk.Body)
		}
		b := call("GET /scorecards/{id}/units/{unit}/items/{position}", fmt.Sprintf("%s/units/%d/items/2", card, f.Own.ID), reporter, nil, nil, http.StatusOK)
		if b.JSON["score"].(map[string]any)["points"].(float64) != 28 {
			t.Fatalf("the upheld points: %s", b.Body)
		}
		call("GET /scorecards/{id}/units/{unit}/items/{position}", fmt.Sprintf("%s/units/%d/items/1", card, f.Own.ID), reporter, nil, nil, http.StatusOK)
		// A stale ruling, and a stale correction, are 409 with the current object.
		call("PUT /appeals/{id}/ruling", fmt.Sprintf("/appeals/%d/ruling", id(a)), coord, map[string]any{"uphold": false, "reason": "x"}, map[string]string{"If-Match": `"v1"`}, http.StatusConflict)
		call("POST /scorecards/{id}/correction", card+"/correction", coord, map[string]any{"reason": "x"}, map[string]string{"If-Match": `"v1"`}, http.StatusConflict)
	})
}
