package waterstore_test

import (
	"bytes"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/water"
	"concord/internal/waterstore"
	"concord/internal/waterstore/watertest"
)

// The ingest benchmark (issue 5, Performance): a generated year of
// 4-hourly samples of WATER_BENCH_STATIONS stations (default 100; the
// issue's file is 2000), stored by Ingest, beside the same file loaded into
// a bare table by the sqlite3 shell's .import (SQLite) or psql's \copy
// (PostgreSQL) in the same run, back to back; then a year's and a month's
// assessment of every station. It reports both rates, their ratio and on
// SQLite the ratio of CPU times (-v logs the times). Run with -benchtime 1x:
//
//	WATER_BENCH_STATIONS=2000 ./scripts/test ./internal/waterstore -run '^$' -bench Ingest -benchtime 1x -timeout 2h -v

func BenchmarkIngestSQLite(b *testing.B)   { benchIngest(b, db.SQLite) }
func BenchmarkIngestPostgres(b *testing.B) { benchIngest(b, db.Postgres) }

func benchIngest(b *testing.B, engine db.Engine) {
	belt := watertest.Generate(b, 100, 4*time.Hour)
	samples, rows, n := belt.Samples, belt.Rows, belt.N
	values := float64(rows * 9)
	for range b.N {
		b.StopTimer()
		u := dbtest.URL(b, engine)
		base, baseCPU := baseline(b, engine, u, samples)
		d, err := db.Open(b.Context(), u)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Migrate(b.Context()); err != nil {
			b.Fatal(err)
		}
		f := setup(b, d)
		if res, err := f.S.ImportStations(f.Coord, bytes.NewReader(belt.Stations), "csv"); err != nil || len(res.Problems) > 0 {
			b.Fatalf("stations: %+v, %v", res, err)
		}
		file, err := os.Open(samples)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, cpu := time.Now(), cpuTime(b)
		rep, err := f.S.Ingest(f.Coord, file, waterstore.IngestOptions{Options: water.Options{File: samples}, Format: water.CSV})
		took, tookCPU := time.Since(start), cpuTime(b)-cpu
		b.StopTimer()
		file.Close()
		if err != nil || !rep.OK() || rep.Inserted != rows*9 {
			b.Fatalf("ingest: %d of %.0f values, %v (%+v)", rep.Inserted, values, err, rep.Problems)
		}
		b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
		b.ReportMetric(float64(rows)/base.Seconds(), "baseline-rows/s")
		b.ReportMetric(base.Seconds()/took.Seconds(), "rate-ratio")
		if engine == db.SQLite { // both sides' work is in their process
			b.ReportMetric(baseCPU.Seconds()/tookCPU.Seconds(), "cpu-ratio")
		}
		b.Logf("%d rows: ingest %.1f s (%.1f s CPU), baseline %.1f s (%.1f s CPU)", rows, took.Seconds(), tookCPU.Seconds(), base.Seconds(), baseCPU.Seconds())
		for _, period := range []string{"2020", "2020-05"} {
			p, _ := waterstore.ParsePeriod(period)
			start := time.Now()
			list, err := f.S.Assess(f.Viewer, p)
			if err != nil || len(list) != n {
				b.Fatalf("assess %s: %d stations, %v", period, len(list), err)
			}
			b.ReportMetric(float64(time.Since(start).Milliseconds()), "assess-"+period+"-ms")
		}
		d.Close()
	}
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// baseline loads the file into a bare table with the engine's own command
// line tool, and returns how long that took and the CPU time the tool
// used (on PostgreSQL the server's work is not in it).
func baseline(b *testing.B, engine db.Engine, u, file string) (time.Duration, time.Duration) {
	cols := `(province TEXT, section TEXT, time TEXT, water_temp TEXT, ph TEXT, "do" TEXT, codmn TEXT, nh3n TEXT, tp TEXT, tn TEXT, conductivity TEXT, turbidity TEXT)`
	var cmd *exec.Cmd
	if engine == db.SQLite {
		if _, err := exec.LookPath("sqlite3"); err != nil {
			b.Skip("no sqlite3 shell for the baseline")
		}
		cmd = exec.Command("sqlite3", filepath.Join(b.TempDir(), "bare.db"), "CREATE TABLE bare "+cols+";", ".import --csv --skip 1 "+file+" bare")
	} else {
		if _, err := exec.LookPath("psql"); err != nil {
			b.Skip("no psql for the baseline")
		}
		pu, err := url.Parse(u)
		if err != nil {
			b.Fatal(err)
		}
		schema := pu.Query().Get("search_path")
		pu.RawQuery = ""
		cmd = exec.Command("psql", "-q", "-v", "ON_ERROR_STOP=1", pu.String(), "-c", "CREATE TABLE "+schema+".bare "+cols,
			"-c", `\copy `+schema+`.bare FROM '`+file+`' CSV HEADER`)
	}
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	return time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}
