package cli

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWaterStore: generated stations and samples are imported, a repeat
// changes nothing, a file naming an unknown station is refused whole, and
// every station is assessed over a month.
func TestWaterStore(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "c.db")
	must(t, "", "migrate", "up", "--db", file)
	must(t, "", "alliance", "init", "--db", file, "--name", "测试联盟")
	must(t, "", "unit", "create", "--db", file, "--code", "dalian", "--name", "大连市", "--kind", "city")
	must(t, "Secure-pass-2018\n", "user", "create", "--db", file, "--login", "coord", "--name", "协调员", "--unit", "dalian", "--role", "coordinator", "--password-stdin")
	samples, stations := filepath.Join(dir, "samples.csv"), filepath.Join(dir, "stations.csv")
	out := must(t, "", "water", "generate", "--stations", "3", "--every", "24h", "--out", samples, "--stations-out", stations)
	if !strings.Contains(out, "1098 samples") {
		t.Errorf("generate: %s", out)
	}
	out = must(t, "", "water", "stations", "import", stations, "--db", file, "--as", "coord", "--lang", "en")
	if !strings.Contains(out, "3 created") {
		t.Errorf("stations import: %s", out)
	}
	out = must(t, "", "water", "import", samples, "--db", file, "--as", "coord", "--lang", "en")
	if !strings.Contains(out, "1098 samples, 9882 values stored, 0 duplicates") {
		t.Errorf("import: %s", out)
	}
	out = must(t, "", "water", "import", samples, "--db", file, "--as", "coord", "--lang", "en")
	if !strings.Contains(out, "0 values stored, 9882 duplicates") {
		t.Errorf("import again: %s", out)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("province,section,time,ph\n样例省,样例断面00009,2020-05-01T08:00:00+08:00,7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := run(t, "", "water", "import", bad, "--db", file, "--as", "coord", "--lang", "en")
	if err == nil || !strings.Contains(errOut, "样例断面00009") || !strings.Contains(errOut, "nothing of the file was imported") {
		t.Errorf("unknown station: %v\n%s", err, errOut)
	}
	out = must(t, "", "water", "assess", "--period", "2020-05", "--db", file, "--as", "coord", "--lang", "en")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[0][3] != "class" || recs[1][0] != "GEN-00001" || recs[1][3] == "" || recs[1][6] != "Ⅲ" || recs[1][8] == "" {
		t.Errorf("assess:\n%s", out)
	}
	if _, _, err := run(t, "", "water", "assess", "--period", "2020-13", "--db", file, "--as", "coord"); err == nil {
		t.Error("a bad period was accepted")
	}
	exported := filepath.Join(dir, "export.xlsx")
	must(t, "", "water", "stations", "export", exported, "--db", file, "--as", "coord")
	out = must(t, "", "water", "stations", "import", exported, "--db", file, "--as", "coord", "--lang", "en")
	if !strings.Contains(out, "3 unchanged") {
		t.Errorf("export imported again: %s", out)
	}
}
