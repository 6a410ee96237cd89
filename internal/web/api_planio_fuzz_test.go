package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/planio"
	"concord/internal/plans"
)

// FuzzImportUpload: whatever body and Content-Type an import's upload
// arrives with, checked or imported, into a plan or as a unit's reports, the
// answer is a client error or a preview (never a panic nor a 5xx), always
// JSON, and a dry run writes no task. Each new workbook input is slow to
// minimize: fuzz with -fuzzminimizetime 5s.
func FuzzImportUpload(f *testing.F) {
	d := dbtest.Open(f, db.SQLite)
	ctx := context.Background()
	al := &alliance.Service{DB: d}
	if err := al.Init(ctx, alliance.Names{ZhHans: "测试经济带"}); err != nil {
		f.Fatal(err)
	}
	sys := access.WithActor(ctx, &access.Actor{UserID: -1, Login: "setup", Roles: []access.Role{access.SysAdmin}})
	unit, err := al.CreateUnit(sys, alliance.UnitInput{Code: "own", Name: alliance.Names{ZhHans: "本单位"}, Kind: alliance.City})
	if err != nil {
		f.Fatal(err)
	}
	area, err := al.CreateArea(sys, alliance.DefaultAreas[0])
	if err != nil {
		f.Fatal(err)
	}
	acc := &accounts.Service{DB: d, Settings: accounts.DefaultSettings}
	actor := func(login string, role access.Role) *access.Actor {
		u, err := acc.Bootstrap(ctx, accounts.UserInput{Login: login, Name: login, UnitID: unit.ID, Password: "Password-2018", Roles: []access.Role{role}})
		if err != nil {
			f.Fatal(err)
		}
		return &access.Actor{UserID: u.ID, Login: login, UnitID: unit.ID, Roles: []access.Role{role}, RequestID: "fuzz"}
	}
	coord, reporter := actor("coordinator", access.Coordinator), actor("reporter", access.Reporter)
	ps := &plans.Service{DB: d, Clock: clock.System}
	today := clock.Today(clock.System)
	plan, err := ps.CreatePlan(access.WithActor(ctx, coord), plans.PlanInput{Code: "P1", Kind: plans.ActionPlan, Name: "计划",
		StartsOn: today.AddDays(-100), EndsOn: today.AddDays(300)})
	if err != nil {
		f.Fatal(err)
	}
	goal, err := ps.SaveGoal(access.WithActor(ctx, coord), plan.ID, 0, plans.GoalInput{Code: "G1", Title: "产业协同", AreaID: area.ID}, 0)
	if err == nil {
		_, err = ps.CreateTask(access.WithActor(ctx, coord), plan.ID, plans.TaskInput{GoalID: goal.ID, Code: "T-1", Title: "任务",
			LeadUnitID: unit.ID, StartsOn: today.AddDays(-40), DueOn: today.AddDays(60)})
	}
	if err != nil {
		f.Fatal(err)
	}
	s := &Server{Deps: Deps{DB: d, Alliance: al, Plans: ps, Planio: &planio.Service{Plans: ps, Alliance: al}, Log: slog.New(slog.DiscardHandler)}}

	// Seeds: the two workbooks as downloaded, a CSV, and broken uploads.
	var planBook, reportBook bytes.Buffer
	if err := s.Planio.TaskTemplate(access.WithActor(ctx, coord), &planBook, "zh-Hans", plan.ID); err != nil {
		f.Fatal(err)
	}
	if err := s.Planio.ReportTemplate(access.WithActor(ctx, reporter), &reportBook, "en", unit.ID); err != nil {
		f.Fatal(err)
	}
	form := func(name string, data []byte, fields ...string) []byte {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.SetBoundary("b")
		for i := 0; i+1 < len(fields); i += 2 {
			w.WriteField(fields[i], fields[i+1])
		}
		if name != "" {
			p, _ := w.CreateFormFile("file", name)
			p.Write(data)
		}
		w.Close()
		return b.Bytes()
	}
	const ct = "multipart/form-data; boundary=b"
	csv := "目标编号,目标,协同领域,任务编号,任务名称,牵头单位,开始日期,截止日期\nG1,产业,产业协同,T-1,任务,本单位,2026-01-01,2026-12-31\n"
	for _, seed := range []struct {
		body        []byte
		contentType string
		commit      bool
		reports     bool
	}{
		{form("计划.xlsx", planBook.Bytes(), "reason", "调整"), ct, false, false},
		{form("计划.xlsx", planBook.Bytes()), ct, true, false},
		{form("plan.csv", []byte(csv)), ct, true, false},
		{form("plan.csv", []byte("\xEF\xBB\xBF"+csv+"\"unterminated")), ct, false, false},
		{form("reports.xlsx", reportBook.Bytes()), ct, true, true},
		{form("reports.xlsx", []byte("PK\x03\x04\x14\x00junk")), ct, false, true},
		{form("x.pdf", []byte("%PDF-1.4")), ct, false, true},
		{form("", nil, "commit", "1", "sha256", "x"), ct, false, false},
		{form("a.xlsx", nil, "commit", "maybe"), ct, false, true},
		{[]byte("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nunterminated"), ct, false, false},
		{[]byte("{}"), "application/json", false, false}, {[]byte("x"), "multipart/form-data", true, true}, {nil, "", false, false},
	} {
		f.Add(seed.body, seed.contentType, seed.commit, seed.reports, false)
		f.Add(seed.body, seed.contentType, seed.commit, seed.reports, true)
	}
	tasks := func(t *testing.T) int {
		var n int
		if err := d.R.QueryRow(`SELECT count(*) FROM tasks`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// parsed: a page's form sent without JavaScript, parsed already by the
	// CSRF check (validCSRF) for its csrf field.
	f.Fuzz(func(t *testing.T, body []byte, contentType string, commit, reports, parsed bool) {
		path, a, h := "/api/v1/plans/"+itoa(plan.ID)+"/import", coord, s.apiImport(s.importPlan)
		if reports {
			path, a, h = "/api/v1/reports/import", reporter, s.apiImport(s.importReports)
		}
		if commit {
			path += "?commit=1"
		}
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		r.SetPathValue("id", itoa(plan.ID))
		if parsed {
			r.Body = http.MaxBytesReader(nil, r.Body, plans.MaxAttachment+1<<20)
			r.FormValue("csrf")
		}
		r = r.WithContext(context.WithValue(access.WithActor(r.Context(), a), infoKey{}, &reqInfo{id: "fuzz", lang: "en", actor: a}))
		before := tasks(t)
		w := httptest.NewRecorder()
		h(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s (%q): status %d: %s", path, contentType, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s: not JSON: %s", path, w.Body)
		}
		if !commit && tasks(t) != before {
			t.Fatalf("a dry run wrote tasks")
		}
	})
}
