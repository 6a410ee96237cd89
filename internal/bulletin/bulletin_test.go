package bulletin_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"concord/internal/alliance"
	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/errs/errstest"
	"concord/internal/inspect"
	"concord/internal/plans"
	"concord/internal/sheet/sheettest"
	"concord/internal/testworld"
)

var update = flag.Bool("update", false, "rewrite the golden files")

type fixture struct {
	*testworld.World
	S *bulletin.Service
}

// setup puts the test world's plan in force with three more tasks, so that
// on 2026-05-10 there are red, yellow, green and completed tasks, reports
// on time, late and missing, and an inspection with an overdue
// rectification.
func setup(t testing.TB, d *db.DB, providers ...bulletin.SectionProvider) fixture {
	t.Helper()
	w := testworld.New(t, d)
	f := fixture{w, &bulletin.Service{DB: d, Clock: w.Clock, Alliance: &alliance.Service{DB: d}, Providers: providers}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	goals, err := w.Plans.Goals(w.Coord, w.Plan.ID)
	must(err)
	areas, err := f.S.Alliance.Directory(context.Background())
	must(err)
	note := plans.RevisionNote{Reason: "联席会议决定", ApprovedBy: "协调办公室主任"}
	for i, tk := range []struct {
		code, title string
		lead        int64
		due         clock.Date
	}{
		{"T-2", "共建辽宁港口集团", w.B.ID, clock.DateOf(2026, 4, 15)},
		{"T-3", "编制沿海环境协同方案", w.C.ID, clock.DateOf(2026, 5, 15)},
		{"T-4", "建立联席会议信息报送制度", w.A.ID, clock.DateOf(2026, 9, 30)},
	} {
		_, err := w.Plans.CreateTask(w.Coord, w.Plan.ID, plans.TaskInput{GoalID: goals[0].ID, Code: tk.code, Title: tk.title, AreaID: areas.Areas[i%2+1].ID,
			LeadUnitID: tk.lead, StartsOn: clock.DateOf(2026, 3, 1), DueOn: tk.due, Revision: note})
		must(err)
	}
	p, err := w.Plans.Plan(w.Coord, w.Plan.ID)
	must(err)
	_, err = w.Plans.SetPlanStatus(w.Coord, p.ID, plans.InForce, note, p.Version)
	must(err)
	// March: dalian reports T-1 on time; April: late; yingkou never reports.
	submit := func(ctx context.Context, code string, unit int64, periodEnd clock.Date, percent float64) {
		t.Helper()
		tasks, _, err := w.Plans.ListTasks(w.Coord, plans.TaskFilter{PlanID: p.ID})
		must(err)
		var id int64
		for _, tk := range tasks {
			if tk.Code == code {
				id = tk.ID
			}
		}
		reports, err := w.Plans.TaskReports(w.Coord, id)
		must(err)
		for _, r := range reports {
			if r.UnitID == unit && r.PeriodEnd == periodEnd {
				_, err := w.Plans.SubmitReport(ctx, r.ID, plans.ReportInput{Percent: &percent, SelfStatus: "on_track", Narrative: "按计划推进"}, r.Version)
				must(err)
				return
			}
		}
		t.Fatalf("no report of %s for unit %d ending %s", code, unit, periodEnd)
	}
	w.Clock.Set(time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC))
	must(w.Plans.Daily(context.Background(), clock.DateOf(2026, 3, 31)))
	submit(w.Reporter[w.A.ID], "T-1", w.A.ID, clock.DateOf(2026, 3, 31), 30)
	w.Clock.Set(time.Date(2026, 4, 5, 10, 0, 0, 0, time.UTC))
	// An inspection in early April finds yingkou's ledger incomplete; the
	// rectification was due at the end of April and is still open.
	insp := &inspect.Service{DB: d, Clock: w.Clock, Plans: w.Plans}
	round, err := insp.CreateRound(w.Insp, inspect.RoundInput{Title: "2026年4月督查", PlanID: &p.ID, UnitIDs: []int64{w.B.ID},
		Inspectors: []int64{w.Users["inspector"].ID}, StartsOn: clock.DateOf(2026, 4, 1), EndsOn: clock.DateOf(2026, 4, 10)})
	must(err)
	round, err = insp.SetRoundStatus(w.Insp, round.ID, inspect.InProgress, round.Version)
	must(err)
	fd, err := insp.AddFinding(w.Insp, round.ID, inspect.FindingInput{UnitID: w.B.ID, Severity: inspect.Major, Description: "港口资源整合台账不全"})
	must(err)
	_, err = insp.OpenRectification(w.Insp, inspect.RectInput{SourceKind: inspect.SourceFinding, SourceRef: strconv.FormatInt(fd.ID, 10), Requirement: "补齐台账", DueOn: clock.DateOf(2026, 4, 30)})
	must(err)
	w.Clock.Set(time.Date(2026, 5, 9, 10, 0, 0, 0, time.UTC))
	must(w.Plans.Daily(context.Background(), clock.DateOf(2026, 5, 9)))
	submit(w.Reporter[w.A.ID], "T-1", w.A.ID, clock.DateOf(2026, 4, 30), 40)
	w.Clock.Set(time.Date(2026, 5, 10, 9, 0, 0, 0, time.UTC))
	must(w.Plans.Daily(context.Background(), clock.DateOf(2026, 5, 10)))
	return f
}

func input() bulletin.Input {
	return bulletin.Input{Title: "关于2026年3—4月行动计划执行情况的督查通报", Number: "辽沿海办督〔2026〕3号", Issuer: "辽宁沿海经济带协调办公室",
		Lang: "zh-Hans", PeriodFrom: clock.DateOf(2026, 3, 1), PeriodTo: clock.DateOf(2026, 4, 30),
		Notes: "大连市建立任务台账周调度机制，逾期任务清零。\n\n  营口市与盘锦市联合开展港口资源整合调研。  "}
}

// ranking stands in for the scorecards' section, which plugs in through
// the same interface.
type ranking struct{}

func (ranking) BulletinSections(_ context.Context, s bulletin.Scope) ([]bulletin.Section, error) {
	return []bulletin.Section{{Title: "考核排名", Table: &bulletin.Table{Sheet: "考核排名", Head: []string{"名次", "单位", "得分"},
		Rows: [][]string{{"1", "dalian", "92.5"}, {"2", "yingkou", "81"}}}, Paragraphs: []string{fmt.Sprintf("考核期间：%s至%s", s.From, s.To)}}}, nil
}

func TestValidation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := fixture{testworld.New(t, d), nil}
		f.S = &bulletin.Service{DB: d, Clock: f.Clock, Alliance: &alliance.Service{DB: d}}
		cases := []struct {
			name       string
			edit       func(*bulletin.Input)
			field, key string
		}{
			{"no title", func(in *bulletin.Input) { in.Title = " " }, "title", "error.required"},
			{"no issuer", func(in *bulletin.Input) { in.Issuer = "" }, "issuer", "error.required"},
			{"language", func(in *bulletin.Input) { in.Lang = "fr" }, "lang", "error.choice"},
			{"no start", func(in *bulletin.Input) { in.PeriodFrom = clock.Date{} }, "period_from", "error.required"},
			{"backwards", func(in *bulletin.Input) { in.PeriodTo = clock.DateOf(2026, 2, 1) }, "period_to", "error.bulletin.period_order"},
			{"too long", func(in *bulletin.Input) { in.PeriodTo = clock.DateOf(2027, 3, 3) }, "period_to", "error.bulletin.period_long"},
			{"number", func(in *bulletin.Input) { in.Number = strings.Repeat("号", 61) }, "number", "error.too_long"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := input()
				c.edit(&in)
				_, err := f.S.Create(f.Coord, in)
				errstest.WantField(t, err, c.field, c.key)
			})
		}
		_, err := f.S.Create(f.Viewer, input())
		errstest.WantKind(t, err, errs.Forbidden)
	})
}

// TestLifecycle drafts, edits, publishes and corrects a bulletin: a draft
// follows live data, a published one does not, edits against an old
// version get the conflict, and every change is on the audit trail.
func TestLifecycle(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		b, err := f.S.Create(f.Coord, input())
		if err != nil {
			t.Fatal(err)
		}
		in := input()
		in.Notes = "大连市建立任务台账周调度机制。"
		if b, err = f.S.Update(f.Coord, b.ID, in, b.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := f.S.Update(f.Coord, b.ID, in, b.Version-1); !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale update: %v", err)
		}
		if _, err := f.S.Update(f.Viewer, b.ID, in, b.Version); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("viewer updates: %v", err)
		}
		_, draft, err := f.S.Document(f.Viewer, b.ID)
		if err != nil || !draft.Draft {
			t.Fatalf("draft document: %+v %v", draft.Head, err)
		}
		if _, err := f.S.Correct(f.Coord, b.ID, bulletin.Correction{Title: in.Title, Issuer: in.Issuer, Reason: "x"}, b.Version); !errs.Is(err, errs.Conflict) {
			t.Fatalf("correcting a draft: %v", err)
		}
		if b, err = f.S.Publish(f.Coord, b.ID, b.Version); err != nil {
			t.Fatal(err)
		}
		if b.Status != bulletin.Published || b.IssuedOn == nil || *b.IssuedOn != clock.DateOf(2026, 5, 10) || b.Document == nil || b.Document.Draft {
			t.Fatalf("published = %+v", b)
		}
		frozen, err := b.Document.Text()
		if err != nil {
			t.Fatal(err)
		}
		// Live data moves on; the published bulletin does not.
		f.Clock.Set(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
		if err := f.Plans.Daily(context.Background(), clock.DateOf(2026, 7, 1)); err != nil {
			t.Fatal(err)
		}
		_, doc, err := f.S.Document(f.Viewer, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := doc.Text(); got != frozen {
			t.Fatalf("the published bulletin changed:\n%s\nwas\n%s", got, frozen)
		}
		if _, err := f.S.Update(f.Coord, b.ID, in, b.Version); !errs.Is(err, errs.Conflict) {
			t.Fatalf("editing a published bulletin: %v", err)
		}
		if _, err := f.S.Publish(f.Coord, b.ID, b.Version); !errs.Is(err, errs.Conflict) {
			t.Fatalf("publishing twice: %v", err)
		}
		_, err = f.S.Correct(f.Coord, b.ID, bulletin.Correction{Title: in.Title, Issuer: in.Issuer}, b.Version)
		errstest.WantField(t, err, "reason", "error.required")
		c := bulletin.Correction{Title: in.Title, Number: "辽沿海办督〔2026〕4号", Issuer: in.Issuer, Notes: "盘锦市推行任务“挂图作战”。", Reason: "文号有误"}
		corrected, err := f.S.Correct(f.Coord, b.ID, c, b.Version)
		if err != nil {
			t.Fatal(err)
		}
		text, _ := corrected.Document.Text()
		if corrected.Revision != 1 || !strings.Contains(text, "辽沿海办督〔2026〕4号") || !strings.Contains(text, "挂图作战") || strings.Contains(text, "周调度") {
			t.Fatalf("corrected:\n%s", text)
		}
		// The figures stay as published.
		if strings.Split(text, "\n")[4] != strings.Split(frozen, "\n")[4] {
			t.Fatalf("the correction changed the overview:\n%s", text)
		}
		revs, err := f.S.Revisions(f.Viewer, b.ID)
		if err != nil || len(revs) != 1 || revs[0].Reason != "文号有误" || revs[0].Previous.Number != "辽沿海办督〔2026〕3号" || revs[0].Previous.Document == nil {
			t.Fatalf("revisions = %+v, %v", revs, err)
		}
		for action, n := range map[string]int{"bulletin.create": 1, "bulletin.update": 1, "bulletin.publish": 1, "bulletin.correct": 1} {
			if got := f.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = $1 AND object_id = $2`, action, strconv.FormatInt(b.ID, 10)); got != n {
				t.Errorf("%s: %d audit rows, want %d", action, got, n)
			}
		}
		list, err := f.S.Bulletins(f.Viewer)
		if err != nil || len(list) != 1 || list[0].Document != nil {
			t.Fatalf("list = %+v, %v", list, err)
		}
	})
}

// TestGolden checks the draft's text, its XLSX cells and that the .docx
// says exactly what the HTML says, on both engines against one golden file.
func TestGolden(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, ranking{})
		b, err := f.S.Create(f.Coord, input())
		if err != nil {
			t.Fatal(err)
		}
		_, doc, err := f.S.Document(f.Viewer, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		text, err := doc.Text()
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "bulletin.golden", text)
		var x bytes.Buffer
		if err := doc.XLSX(&x); err != nil {
			t.Fatal(err)
		}
		golden(t, "bulletin-xlsx.golden", sheettest.Cells(t, x.Bytes()))
		var w bytes.Buffer
		if err := doc.DOCX(&w); err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Fields(docxText(t, w.Bytes())), strings.Fields(text); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("the .docx says\n%s\nthe HTML says\n%s", strings.Join(got, " "), strings.Join(want, " "))
		}
		var page bytes.Buffer
		if err := doc.HTML(&page); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"<!DOCTYPE html>", "size: A4", "<h2>一、总体情况</h2>", "<h3>（一）按协同领域</h3>", "<h2>六、考核排名</h2>", "<h2>七、典型经验做法</h2>"} {
			if !strings.Contains(page.String(), want) {
				t.Errorf("the page lacks %q", want)
			}
		}
	})
}

// TestPDF prints the bulletin through Chromium when it is installed (CI
// installs it) and checks that a PDF with pages came out.
func TestPDF(t *testing.T) {
	if bulletin.Chromium() == "" {
		if os.Getenv("CONCORD_REQUIRE_BROWSER") != "" {
			t.Fatal("CONCORD_REQUIRE_BROWSER is set but Chromium is not installed")
		}
		t.Skip("Chromium is not installed")
	}
	d := dbtest.Open(t, db.SQLite)
	f := setup(t, d)
	b, err := f.S.Create(f.Coord, input())
	if err != nil {
		t.Fatal(err)
	}
	_, doc, err := f.S.Document(f.Viewer, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := doc.PDF(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("/Type /Page")) && !bytes.Contains(pdf, []byte("/Type/Page")) {
		t.Fatalf("not a PDF with pages: %q…", pdf[:min(len(pdf), 40)])
	}
}

func TestNoChromium(t *testing.T) {
	t.Setenv("CONCORD_CHROMIUM", filepath.Join(t.TempDir(), "chromium"))
	if bulletin.Chromium() != "" {
		t.Fatal("a missing CONCORD_CHROMIUM still finds a browser")
	}
	_, err := bulletin.Document{}.PDF(context.Background())
	if e, ok := errs.As(err); !ok || e.Kind != errs.Unavailable || e.Key != "error.bulletin.no_chromium" {
		t.Fatalf("err = %v", err)
	}
}

// TestNoCJKFont hides every font from fontconfig (an empty configuration)
// and expects the PDF refused rather than printed as empty boxes.
func TestNoCJKFont(t *testing.T) {
	if _, err := exec.LookPath("fc-list"); err != nil || bulletin.Chromium() == "" {
		t.Skip("no fontconfig or no Chromium")
	}
	if !bulletin.HasCJKFont(context.Background()) {
		t.Error("no CJK font on the test machine: ./scripts/test installs fonts-noto-cjk")
	}
	conf := filepath.Join(t.TempDir(), "fonts.conf")
	if err := os.WriteFile(conf, []byte(`<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig></fontconfig>`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FONTCONFIG_FILE", conf)
	_, err := bulletin.Document{}.PDF(context.Background())
	if e, ok := errs.As(err); !ok || e.Kind != errs.Unavailable || e.Key != "error.bulletin.no_cjk_font" {
		t.Fatalf("err = %v", err)
	}
}

func TestNumbering(t *testing.T) {
	for _, c := range []struct {
		lang     string
		level, i int
		want     string
	}{
		{"zh-Hans", 1, 0, "一、"}, {"zh-Hans", 1, 9, "十、"}, {"zh-Hans", 1, 10, "十一、"}, {"zh-Hans", 1, 22, "二十三、"},
		{"zh-Hant", 2, 1, "（二）"}, {"zh-Hans", 2, 19, "（二十）"}, {"en", 1, 2, "3. "}, {"en", 2, 0, "(1) "},
	} {
		if got := bulletin.Numbering(c.lang, c.level, c.i); got != c.want {
			t.Errorf("Numbering(%s, %d, %d) = %q, want %q", c.lang, c.level, c.i, got, c.want)
		}
	}
	if got := bulletin.LongDate("zh-Hans", clock.DateOf(2026, 5, 1)); got != "2026年5月1日" {
		t.Errorf("LongDate = %q", got)
	}
}

// docxText opens the .docx and reads the text of word/document.xml, a line
// a paragraph.
func docxText(t *testing.T, data []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/styles.xml"} {
		if _, err := z.Open(name); err != nil {
			t.Fatalf("the .docx lacks %s", name)
		}
	}
	r, err := z.Open("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(r)
	var b strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			inText = e.Name.Local == "t"
		case xml.EndElement:
			inText = false
			if e.Name.Local == "p" {
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				b.Write(e)
			}
		}
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (rerun with -update after checking):\n%s", path, got)
	}
}
