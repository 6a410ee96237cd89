package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"concord/internal/clock"
	"concord/internal/sheet/sheettest"
)

// supervisionCommands reads the sample belt in the demo store at url
// through `concord meeting`, `inspection` and `scorecard`, and computes a
// draft scorecard; TestDemo calls it on the store it seeded.
func supervisionCommands(t *testing.T, url string) {
	t.Helper()
	read := func(args ...string) string {
		t.Helper()
		return must(t, "", append(args, "--db", url, "--as", "viewer")...)
	}
	list := read("meeting", "list")
	joint := regexp.MustCompile(`(?m)^(\d+)\s+2018-08-01\s+领导联席会议\s+已闭会归档\s+大连市\s+辽宁沿海经济带六城市书记市长联席会议$`).FindStringSubmatch(list)
	if joint == nil || strings.Count(list, "\n") != 4 {
		t.Fatalf("meeting list:\n%s", list)
	}
	show := read("meeting", "show", joint[1])
	for _, want := range []string{"出席", "发言 · 大连市 市长", "议定事项", "已销号", "会议纪要", "示例数据"} {
		if !strings.Contains(show, want) {
			t.Errorf("meeting show lacks %q:\n%s", want, show)
		}
	}
	office := regexp.MustCompile(`(?m)^(\d+)\s+\S+\s+协调办公室会议\s+筹备中`).FindStringSubmatch(list)
	if office == nil {
		t.Fatalf("no office meeting:\n%s", list)
	}
	page := read("meeting", "brief", office[1])
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "二、议定事项逐项落实情况") || !strings.Contains(page, "大辽河口") {
		t.Errorf("brief page:\n%.2000s", page)
	}
	file := filepath.Join(t.TempDir(), "brief.xlsx")
	read("meeting", "brief", office[1], "--format", "xlsx", "-o", file)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if cells := sheettest.Cells(t, data); !strings.Contains(cells, "二、议定事项逐项落实情况!A1=序号") || !strings.Contains(cells, "辽宁沿海经济带六城市书记市长联席会议 2018-08-01") {
		t.Errorf("brief workbook:\n%.2000s", cells)
	}
	if _, _, err := run(t, "", "meeting", "brief", office[1], "--db", url, "--as", "viewer", "--format", "pdf"); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("brief as pdf: %v", err)
	}
	if _, _, err := run(t, "", "meeting", "show", "x", "--db", url, "--as", "viewer"); err == nil || !strings.Contains(err.Error(), "not a meeting id") {
		t.Errorf("show x: %v", err)
	}
	if _, _, err := run(t, "", "meeting", "show", "99999", "--db", url, "--as", "viewer"); err == nil {
		t.Error("show of no meeting succeeded")
	}

	rounds := read("inspection", "list")
	round := regexp.MustCompile(`(?m)^(\d+)\s+.*已结束\s+3\s+年度工作要点落实情况专项督查（示例）$`).FindStringSubmatch(rounds)
	if round == nil {
		t.Fatalf("inspection list:\n%s", rounds)
	}
	shown := read("inspection", "show", round[1])
	for _, want := range []string{"发现问题 1 · 营口市 · 较重", "· 已销号", "葫芦岛市 · 严重", "待整改 · 已逾期"} {
		if !strings.Contains(shown, want) {
			t.Errorf("inspection show lacks %q:\n%s", want, shown)
		}
	}

	problemsList := read("problem", "list", "--open")
	escalated := regexp.MustCompile(`(?m)^(\d+)\s+.*营口市.*大辽河口跨界断面水质考核数据口径不一致（示例）$`).FindStringSubmatch(problemsList)
	if escalated == nil || strings.Contains(problemsList, "建议将本市全部在建项目") {
		t.Fatalf("problem list --open (the rejected one left out):\n%s", problemsList)
	}
	problem := read("problem", "show", escalated[1])
	for _, want := range []string{"生态环境", "涉及单位: 盘锦市", "协调请求: 请协调统一跨界断面监测和考核口径", "已提请会议研究"} {
		if !strings.Contains(problem, want) {
			t.Errorf("problem show lacks %q:\n%s", want, problem)
		}
	}

	if got := read("committee", "list"); !regexp.MustCompile(`(?m)^\d+\s+ENV\s+执行层\s+6\s+生态环境专业委员会$`).MatchString(got) {
		t.Errorf("committee list:\n%s", got)
	}
	if got := read("agreement", "list"); !strings.Contains(got, "海洋环境保护、监测与治理合作框架协议") {
		t.Errorf("agreement list:\n%s", got)
	}

	d, _ := openStore(t, url)
	var starts clock.Date
	if err := d.R.QueryRow(`SELECT starts_on FROM scorecards`).Scan(&starts); err != nil {
		t.Fatal(err)
	}
	quarter := starts.Time().Format("2006") + "-Q" + string(rune('1'+(starts.Time().Month()-1)/3))
	card := read("scorecard", "show", "--period", quarter)
	if !strings.Contains(card, "已发布 · 第 2 版") || !regexp.MustCompile(`(?m)^\d+\s+葫芦岛市\s+[\d.]+\s.*7\*$`).MatchString(card) {
		t.Errorf("scorecard show --period %s:\n%s", quarter, card)
	}
	if _, _, err := run(t, "", "scorecard", "compute", "--period", "2026-Q1", "--db", url, "--as", "viewer"); err == nil {
		t.Error("a viewer computed a scorecard")
	}
	draft := must(t, "", "scorecard", "compute", "--period", "2026-Q1", "--db", url, "--as", "coordinator")
	if !strings.Contains(draft, "2026-01-01 – 2026-03-31 · 草稿 · 第 0 版") || !strings.Contains(draft, "大连市") {
		t.Errorf("compute:\n%s", draft)
	}
}

func TestParsePeriod(t *testing.T) {
	for _, c := range []struct{ in, kind, start string }{
		{"2026", "year", "2026-01-01"}, {"2026-Q1", "quarter", "2026-01-01"}, {"2026-Q4", "quarter", "2026-10-01"},
		{"2026-07", "month", "2026-07-01"}, {"2026-13", "", ""}, {"2026-00", "", ""}, {"2026-Q5", "", ""}, {"26", "", ""}, {"2026-7", "", ""},
	} {
		kind, start, err := parsePeriod(c.in)
		if c.kind == "" {
			if err == nil {
				t.Errorf("%q accepted as %s %s", c.in, kind, start)
			}
			continue
		}
		if err != nil || kind != c.kind || start.String() != c.start {
			t.Errorf("%q: %s %s %v, want %s %s", c.in, kind, start, err, c.kind, c.start)
		}
	}
}
