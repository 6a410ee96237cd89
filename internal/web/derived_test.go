package web_test

import (
	"fmt"
	"strings"
	"testing"

	"concord/internal/access"
	"concord/internal/db"
)

// TestDashboardFollowsChanges: the dashboard's answer and its charts (and
// the units offered by a filter) are kept between requests, and a change of
// the figures or of a unit's name,
// made through the service or straight in the database as another instance
// would, shows at the next request.
func TestDashboardFollowsChanges(t *testing.T) {
	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) { dashboardFollowsChanges(t, e) })
	}
}

func dashboardFollowsChanges(t *testing.T, e db.Engine) {
	f := newFixture(t, e)
	s := pmLogin(f, "inspector")
	tok := f.token("inspector")
	total := func() float64 {
		t.Helper()
		res := f.do("GET", "/api/v1/dashboard", tok, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("dashboard: %d %s", res.StatusCode, res.Body)
		}
		return res.JSON["all"].(map[string]any)["total"].(float64)
	}
	before := total()
	if again := total(); again != before {
		t.Fatalf("the same figures read twice: %v then %v", before, again)
	}
	wantIn(t, "charts before", uiGet(f, s, "/"), f.Own.Name.ZhHans)
	wantIn(t, "unit filter before", uiGet(f, s, "/tasks"), f.Own.Name.ZhHans)

	if _, err := f.DB.W.Exec(`UPDATE units SET name_zh_hans = '改名后的单位' WHERE id = $1`, f.Own.ID); err != nil {
		t.Fatal(err)
	}
	res := f.do("GET", "/api/v1/dashboard", tok, nil, nil)
	if !strings.Contains(res.Body, "改名后的单位") {
		t.Errorf("the dashboard API still names the unit as before: %s", res.Body)
	}
	page := uiGet(f, s, "/")
	if !strings.Contains(page.Body, "改名后的单位") || strings.Contains(page.Body, ">"+f.Own.Name.ZhHans+"<") {
		t.Error("the dashboard's charts still name the unit as before")
	}
	wantIn(t, "unit filter after", uiGet(f, s, "/tasks"), fmt.Sprintf(`<option value="%d">改名后的单位</option>`, f.Own.ID))
	// The alliance's name, in every page's frame, is kept with the units.
	if _, err := f.DB.W.Exec(`UPDATE alliance SET name_zh_hans = '改名后的联盟'`); err != nil {
		t.Fatal(err)
	}
	wantIn(t, "alliance after a rename", uiGet(f, s, "/tasks"), "改名后的联盟")

	coord := uiCtx(f.Users[access.Coordinator])
	if _, err := f.Plans.CancelTask(coord, f.TaskOther.ID, "并入其他任务", f.TaskOther.Version); err != nil {
		t.Fatal(err)
	}
	res = f.do("GET", "/api/v1/dashboard", tok, nil, nil)
	if n := res.JSON["all"].(map[string]any)["counts"].(map[string]any)["cancelled"]; n != 1.0 {
		t.Errorf("cancelled tasks after a cancellation: %v", n)
	}
}
