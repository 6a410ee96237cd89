package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWaterLoop: a cross-city section off target in May opens one item for
// the upstream city; running the month again changes nothing; June, on
// target, closes the loop; an earlier month and a malformed one are refused.
func TestWaterLoop(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "c.db")
	must(t, "", "migrate", "up", "--db", file)
	must(t, "", "alliance", "init", "--db", file, "--name", "测试联盟")
	must(t, "", "unit", "create", "--db", file, "--code", "dalian", "--name", "大连市", "--kind", "city")
	must(t, "", "unit", "create", "--db", file, "--code", "yingkou", "--name", "营口市", "--kind", "city")
	must(t, "Secure-pass-2018\n", "user", "create", "--db", file, "--login", "coord", "--name", "协调员", "--unit", "dalian", "--role", "coordinator", "--password-stdin")
	stations, samples := filepath.Join(dir, "stations.csv"), filepath.Join(dir, "samples.csv")
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(stations, "code,name_zh,province,water_body,target_class,unit,boundary,upstream_unit,downstream_unit,stem\n"+
		"LN-001,三岔河,辽宁,river,Ⅳ,yingkou,cross_city,dalian,yingkou,main\n")
	write(samples, "province,section,time,ph,do,codmn,nh3n,tp\n"+
		"辽宁,三岔河,2020-05-05T08:00:00+08:00,7.5,8,3,0.3,0.5\n"+
		"辽宁,三岔河,2020-06-05T08:00:00+08:00,7.5,8,3,0.3,0.1\n")
	must(t, "", "water", "stations", "import", stations, "--db", file, "--as", "coord")
	must(t, "", "water", "import", samples, "--db", file, "--as", "coord")
	out := must(t, "", "water", "loop", "--month", "2020-05", "--db", file, "--as", "coord", "--lang", "en")
	if !strings.Contains(out, "2020-05: 1 items opened, 0 extended, 0 closed") || !strings.Contains(out, "opened: /rectifications/1") {
		t.Errorf("May: %s", out)
	}
	out = must(t, "", "water", "loop", "--month", "2020-05", "--db", file, "--as", "coord", "--lang", "en")
	if !strings.Contains(out, "2020-05 was evaluated before; nothing changed") {
		t.Errorf("May again: %s", out)
	}
	out = must(t, "", "water", "loop", "--month", "2020-06", "--db", file, "--as", "coord", "--lang", "en")
	if !strings.Contains(out, "compliant again, to verify: /rectifications/1") {
		t.Errorf("June: %s", out)
	}
	if _, errOut, err := run(t, "", "water", "loop", "--month", "2020-04", "--db", file, "--as", "coord", "--lang", "en"); err == nil || !strings.Contains(errOut, "2020-06 has been evaluated") {
		t.Errorf("April after June: %v %s", err, errOut)
	}
	if _, errOut, err := run(t, "", "water", "loop", "--month", "2020Q2", "--db", file, "--as", "coord", "--lang", "en"); err == nil || !strings.Contains(errOut, "is not a month") {
		t.Errorf("a quarter: %v %s", err, errOut)
	}
}
