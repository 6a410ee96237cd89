package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"concord/internal/bench"
	"concord/internal/clock"
	"concord/internal/db"
)

// runSupervision is `concord-bench supervision`: the plans benchmark's
// stores (generated or reused, as `concord-bench plans` does) with 20
// meetings of 25 decisions, a draft scorecard and a draft bulletin added
// through the services, then the meeting brief, the bulletin and the
// year's scorecard of every unit timed in process beside a count of the
// reports. The largest size is held to the targets (brief and bulletin
// < 3 s, scorecard < 2 s). See docs/performance.md.
func runSupervision(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("concord-bench supervision", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "2000000", "reports per store, comma-separated (tasks are a twentieth)")
	engines := fs.String("engines", "sqlite", "engines, comma-separated: sqlite, postgres")
	pg := fs.String("pg", envOr("CONCORD_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"a PostgreSQL server; the stores are databases concord_bench_SIZE beside it")
	dir := fs.String("dir", bench.PlansDir(), "folder of the SQLite stores")
	reps := fs.Int("n", 5, "timed rounds of each call, after one unmeasured")
	today := fs.String("today", "", "the day the generated data is as of, YYYY-MM-DD (default: today)")
	asJSON := fs.Bool("json", false, "write the report as JSON on stdout")
	strict := fs.Bool("strict", false, "exit with status 1 when a target is missed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *reps < 1 {
		return errors.New("supervision: unexpected arguments, or -n below 1")
	}
	day := clock.Today(clock.System)
	if *today != "" {
		d, err := clock.ParseDate(*today)
		if err != nil {
			return err
		}
		day = d
	}
	var sz []int
	for _, f := range strings.Split(*sizes, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return fmt.Errorf("-sizes: %q", f)
		}
		sz = append(sz, v)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	rep := bench.SupervisionReport{Machine: bench.ThisMachine(), Today: day.String()}
	for _, e := range strings.Split(*engines, ",") {
		engine := db.Engine(strings.TrimSpace(e))
		if engine != db.SQLite && engine != db.Postgres {
			return fmt.Errorf("-engines: %q", e)
		}
		for _, size := range sz {
			plans, err := bench.OpenPlanStore(ctx, engine, size, *dir, *pg, day, stderr)
			if err != nil {
				return fmt.Errorf("%s store of %d reports: %w", engine, size, err)
			}
			store, err := bench.OpenSupervisionStore(ctx, plans, day, stderr)
			if err != nil {
				return fmt.Errorf("%s store of %d reports: %w", engine, size, err)
			}
			fmt.Fprintf(stderr, "%s, %d reports: timing the brief, the bulletin and the scorecard %d times …\n", engine, plans.Made.Reports, *reps)
			run, err := bench.MeasureSupervision(ctx, store, *reps)
			if err != nil {
				return fmt.Errorf("%s store of %d reports: %w", engine, size, err)
			}
			rep.Runs = append(rep.Runs, run)
		}
	}
	rep.Evaluate()
	fmt.Fprintln(stderr)
	return emit(stdout, &rep, *asJSON, *strict)
}
