package planio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"concord/internal/access"
	"concord/internal/alliance"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/planio"
	"concord/internal/plans"
)

var update = flag.Bool("update", false, "rewrite the golden files")

type env struct {
	svc   *planio.Service
	plans *plans.Service
	ctx   context.Context
	plan  plans.Plan
}

func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	al := &alliance.Service{DB: d}
	if err := al.Init(ctx, alliance.Names{ZhHans: "测试"}); err != nil {
		t.Fatal(err)
	}
	sys := access.WithActor(ctx, &access.Actor{UserID: -1, Login: "setup", Roles: []access.Role{access.SysAdmin}})
	for _, a := range alliance.DefaultAreas {
		if _, err := al.CreateArea(sys, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []alliance.UnitInput{
		{Code: "dalian", Name: alliance.Names{ZhHans: "大连市", ZhHant: "大連市", En: "Dalian"}, Kind: alliance.City},
		{Code: "yingkou", Name: alliance.Names{ZhHans: "营口市", ZhHant: "營口市", En: "Yingkou"}, Kind: alliance.City},
		{Code: "panjin", Name: alliance.Names{ZhHans: "盘锦市", ZhHant: "盤錦市", En: "Panjin"}, Kind: alliance.City},
	} {
		if _, err := al.CreateUnit(sys, u); err != nil {
			t.Fatal(err)
		}
	}
	ps := &plans.Service{DB: d, Clock: clock.NewFake(clock.DateOf(2026, 3, 1).Time())}
	e := &env{svc: &planio.Service{Plans: ps, Alliance: al}, plans: ps,
		ctx: access.WithActor(ctx, &access.Actor{UserID: -2, Login: "coord", Roles: []access.Role{access.Coordinator}})}
	var err error
	e.plan, err = ps.CreatePlan(e.ctx, plans.PlanInput{Code: "2026", Kind: plans.ActionPlan, Name: "2026 行动计划", StartsOn: clock.DateOf(2026, 1, 1), EndsOn: clock.DateOf(2027, 12, 31)})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var header = []string{"目标编号", "目标", "协同领域", "任务编号", "任务名称", "牵头单位", "配合单位", "开始日期", "截止日期", "节点"}

var goodRows = [][]any{
	{"G1", "港口协同", "产业协同", "2026-IND-01", "推进港口资源整合", "大连市", "营口市、盘锦市", "2026-03-01", "2026-12-31", "2026-06-30 完成整合方案；2026-09-30 签署协议"},
	{"G1", "港口协同", "产业协同", "2026-IND-02", "共建航运中心", "营口市", "", "2026/3/1", "2026年12月31日", ""},
	{"G2", "生态共治", "Environment", "2026-ENV-01", "大辽河口联合治理", "Panjin", "营口市", "2026-04-01", "2027-06-30", ""},
}

// book builds a workbook with a 任务 sheet of header and rows; edit may
// spoil it.
func book(t *testing.T, rows [][]any, edit func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "任务"); err != nil {
		t.Fatal(err)
	}
	all := append([][]any{toAny(header)}, rows...)
	for i, r := range all {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("任务", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if edit != nil {
		edit(f)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func clone(rows [][]any) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = append([]any(nil), r...)
	}
	return out
}

// golden compares got with testdata/NAME.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// report renders a preview as the user sees it, in zh-Hans: every change
// and every problem.
func report(pv planio.Preview) string {
	var b strings.Builder
	for _, r := range pv.Rows {
		ch, _ := json.Marshal(r.Changes)
		b.WriteString("row " + strconv.Itoa(r.Row) + " " + r.Code + " " + r.Action + " " + string(ch) + "\n")
	}
	for _, p := range pv.Problems {
		b.WriteString(p.Ref() + " " + p.Text("zh-Hans") + "\n")
	}
	if pv.Committed {
		b.WriteString("committed\n")
	}
	return b.String()
}

func count(t *testing.T, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportTasks: a clean workbook previews every change, commits all of
// it, and re-imports as unchanged; each kind of bad input gets its precise
// problems and writes nothing.
func TestImportTasks(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		imp := func(b []byte, commit bool) planio.Preview {
			t.Helper()
			pv, err := e.svc.ImportTasks(e.ctx, bytes.NewReader(b), planio.XLSX, "zh-Hans", e.plan.ID, plans.RevisionNote{}, commit)
			if err != nil {
				t.Fatal(err)
			}
			return pv
		}
		bad := []struct {
			name string
			rows func() [][]any
			edit func(f *excelize.File)
		}{
			{"wrong_header", nil, func(f *excelize.File) { f.SetCellStr("任务", "F1", "主办单位") }},
			{"merged_cells", nil, func(f *excelize.File) { f.MergeCell("任务", "A2", "A3") }},
			{"formula", nil, func(f *excelize.File) { f.SetCellFormula("任务", "I2", "=H2+30") }},
			{"bad_dates", func() [][]any {
				r := clone(goodRows)
				r[0][7], r[1][8] = "三月一日", 46000.5
				return r
			}, nil},
			{"unknown_units", func() [][]any {
				r := clone(goodRows)
				r[0][5], r[2][6] = "大莲市", "北京市"
				return r
			}, nil},
			{"duplicate_code", func() [][]any {
				r := clone(goodRows)
				r[2][3] = "2026-IND-01"
				return r
			}, nil},
			{"deadline_before_start", func() [][]any {
				r := clone(goodRows)
				r[1][8] = "2026-02-01"
				return r
			}, nil},
			{"co_unit_is_lead", func() [][]any {
				r := clone(goodRows)
				r[0][6] = "大连市"
				return r
			}, nil},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				rows := goodRows
				if c.rows != nil {
					rows = c.rows()
				}
				pv := imp(book(t, rows, c.edit), true)
				if len(pv.Problems) == 0 || pv.Committed {
					t.Fatalf("no problems: %s", report(pv))
				}
				golden(t, "tasks_"+c.name, report(pv))
				if n := count(t, d, "tasks"); n != 0 {
					t.Fatalf("%d tasks written", n)
				}
			})
		}
		good := book(t, goodRows, nil)
		dry := imp(good, false)
		golden(t, "tasks_valid_dry_run", report(dry))
		if count(t, d, "tasks") != 0 || count(t, d, "goals") != 0 {
			t.Fatal("the dry run wrote")
		}
		if pv := imp(good, true); !pv.Committed || count(t, d, "tasks") != 3 {
			t.Fatalf("commit: %s", report(pv))
		}
		// The plan's export re-imports unchanged: a round trip.
		var out bytes.Buffer
		if err := e.svc.TaskTemplate(e.ctx, &out, "zh-Hans", e.plan.ID); err != nil {
			t.Fatal(err)
		}
		again := imp(out.Bytes(), false)
		golden(t, "tasks_round_trip", report(again))
	})
}

// TestImportReports: a unit downloads its open reports, fills them offline
// and uploads them; a report changed meanwhile is refused on its row and
// nothing is written; fixed, the upload submits.
func TestImportReports(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		if pv, err := e.svc.ImportTasks(e.ctx, bytes.NewReader(book(t, goodRows, nil)), planio.XLSX, "zh-Hans", e.plan.ID, plans.RevisionNote{}, true); err != nil || !pv.Committed {
			t.Fatalf("tasks: %v %s", err, report(pv))
		}
		var dalian int64
		if err := d.R.QueryRow(`SELECT id FROM units WHERE code = 'dalian'`).Scan(&dalian); err != nil {
			t.Fatal(err)
		}
		reporter := access.WithActor(context.Background(), &access.Actor{UserID: -3, Login: "dl-reporter", UnitID: dalian, Roles: []access.Role{access.Reporter}})
		var out bytes.Buffer
		if err := e.svc.ReportTemplate(reporter, &out, "zh-Hans", dalian); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("进展报告")
		if err != nil || len(rows) != 2 { // header and Dalian's one open report
			t.Fatalf("report sheet rows %d: %v", len(rows), err)
		}
		set := func(col, v string) {
			for i, h := range rows[0] {
				if strings.TrimSuffix(h, "*") == col {
					cell, _ := excelize.CoordinatesToCellName(i+1, 2)
					f.SetCellStr("进展报告", cell, v)
					return
				}
			}
			t.Fatalf("no column %s in %v", col, rows[0])
		}
		set("完成进度（%）", "35")
		set("自评", "正常推进")
		set("进展情况", "完成港口资源摸底")
		set("提交", "是")
		var filled bytes.Buffer
		if err := f.Write(&filled); err != nil {
			t.Fatal(err)
		}
		// Someone saves the report online after the download: the upload is stale.
		var id int64
		var version int
		if err := d.R.QueryRow(`SELECT id, version FROM reports WHERE unit_id = $1`, dalian).Scan(&id, &version); err != nil {
			t.Fatal(err)
		}
		pct := 10.0
		if _, err := e.plans.SaveReport(reporter, id, plans.ReportInput{Percent: &pct}, version); err != nil {
			t.Fatal(err)
		}
		pv, err := e.svc.ImportReports(reporter, bytes.NewReader(filled.Bytes()), planio.XLSX, true)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "reports_stale", report(pv))
		if r, _ := e.plans.Report(e.ctx, id); r.State != plans.Drafted || *r.Percent != 10 {
			t.Fatalf("the stale upload wrote: %+v", r)
		}
		set("版本", strconv.Itoa(version+1))
		filled.Reset()
		if err := f.Write(&filled); err != nil {
			t.Fatal(err)
		}
		pv, err = e.svc.ImportReports(reporter, bytes.NewReader(filled.Bytes()), planio.XLSX, true)
		if err != nil || !pv.Committed {
			t.Fatalf("upload: %v %s", err, report(pv))
		}
		if r, _ := e.plans.Report(e.ctx, id); r.State != plans.Submitted || *r.Percent != 35 {
			t.Fatalf("after upload: %s %v", r.State, *r.Percent)
		}
	})
}
