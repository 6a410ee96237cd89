package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/plans"
)

// TestImportExport: the template exported from the command line, filled
// in, is checked by a dry run that writes nothing, refused whole when a row
// is wrong, and imported when right; the plan then exports again.
func TestImportExport(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "c.db")
	must(t, "", "migrate", "up", "--db", file)
	must(t, "", "alliance", "init", "--db", file, "--name", "测试联盟")
	must(t, "", "unit", "create", "--db", file, "--code", "dalian", "--name", "大连市", "--kind", "city")
	must(t, "", "unit", "create", "--db", file, "--code", "yingkou", "--name", "营口市", "--kind", "city")
	must(t, "Secure-pass-2018\n", "user", "create", "--db", file, "--login", "coord", "--name", "协调员", "--unit", "dalian", "--role", "coordinator", "--password-stdin")
	d, acc := openStore(t, file)
	u, err := acc.UserByLogin(context.Background(), "coord")
	if err != nil {
		t.Fatal(err)
	}
	ctx := access.WithActor(context.Background(), &access.Actor{UserID: u.ID, Login: "coord", UnitID: u.UnitID, Roles: u.Roles})
	ps := &plans.Service{DB: d, Clock: clock.System}
	if _, err := ps.CreatePlan(ctx, plans.PlanInput{Code: "P2026", Kind: plans.ActionPlan, Name: "计划", StartsOn: clock.DateOf(2026, 1, 1), EndsOn: clock.DateOf(2027, 12, 31)}); err != nil {
		t.Fatal(err)
	}
	d.Close()

	tmpl := filepath.Join(dir, "template.xlsx")
	must(t, "", "export", "template", "--db", file, "--as", "coord", "-o", tmpl)
	fill := func(lead string) string {
		f, err := excelize.OpenFile(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		row := []any{"G1", "港口协同", "产业协同", "2026-IND-01", "推进港口资源整合", lead, "营口市", "2026-03-01", "2026-12-31"}
		if err := f.SetSheetRow("任务", "A2", &row); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, lead+".xlsx")
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	out, _, err := run(t, "", "import", fill("大莲市"), "--plan", "P2026", "--db", file, "--as", "coord")
	if err == nil || !strings.Contains(out, "任务!F2") || !strings.Contains(out, "是否指“大连市”") {
		t.Fatalf("bad file: err %v\n%s", err, out)
	}
	good := fill("大连市")
	out = must(t, "", "import", good, "--plan", "P2026", "--db", file, "--as", "coord", "--dry-run")
	if !strings.Contains(out, "2026-IND-01\tcreate") || !strings.Contains(out, "nothing was written") {
		t.Fatalf("dry run: %s", out)
	}
	if out = must(t, "", "import", good, "--plan", "P2026", "--db", file, "--as", "coord"); !strings.Contains(out, "imported 1 row(s)") {
		t.Fatalf("import: %s", out)
	}
	export := filepath.Join(dir, "plan.xlsx")
	must(t, "", "export", "plan", "--plan", "P2026", "--db", file, "--as", "coord", "-o", export)
	if out = must(t, "", "import", export, "--plan", "P2026", "--db", file, "--as", "coord", "--dry-run"); !strings.Contains(out, "2026-IND-01\tunchanged") {
		t.Fatalf("re-import of the export: %s", out)
	}
	if _, err := os.Stat(export); err != nil {
		t.Fatal(err)
	}
}
