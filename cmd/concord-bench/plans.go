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

// runPlans is `concord-bench plans`: generated stores of 300 units and
// 20 reports per task, one per engine and size, each served by the concord
// binary and read by -clients concurrent clients: the alliance dashboard
// and one unit's red tasks (API and pages) at the 95th percentile beside
// /healthz under the same load, the server's memory meanwhile, then the
// same service calls in process beside a SELECT 1. The largest size is held
// to the targets (p95 < 50 ms, RSS < 300 MB); the others draw the growth
// curve. See docs/performance.md.
func runPlans(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("concord-bench plans", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "10000,100000,1000000,2000000", "reports per store, comma-separated (tasks are a twentieth)")
	engines := fs.String("engines", "sqlite,postgres", "engines, comma-separated")
	pg := fs.String("pg", envOr("CONCORD_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"a PostgreSQL server; the stores are databases concord_bench_SIZE beside it")
	dir := fs.String("dir", bench.PlansDir(), "folder of the SQLite stores")
	fresh := fs.Bool("fresh", false, "regenerate the stores even if they exist")
	clients := fs.Int("clients", 50, "concurrent clients")
	think := fs.Duration("think", 0, "each client's mean pause between requests (uniform in [0, 2×think)); 0: never pause (saturation)")
	n := fs.Int("n", 1000, "timed requests of each kind per store")
	warmup := fs.Int("warmup", 100, "unmeasured requests of each kind first")
	today := fs.String("today", "", "the day the generated data is as of, YYYY-MM-DD (default: today)")
	bin := fs.String("bin", "", "a built concord binary (default: go build ./cmd/concord)")
	asJSON := fs.Bool("json", false, "write the report as JSON on stdout")
	strict := fs.Bool("strict", false, "exit with status 1 when a target is missed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *clients < 1 || *n < 1 || *warmup < 0 || *think < 0 {
		return errors.New("plans: unexpected arguments, -clients/-n below 1, or a negative -think")
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
		if err != nil || v < 0 {
			return fmt.Errorf("-sizes: %q", f)
		}
		sz = append(sz, v)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "concord-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintln(stderr, "go build …")
	tools, err := bench.Build(ctx, tmp, *bin)
	if err != nil {
		return err
	}
	rep := bench.PlansReport{Machine: bench.ThisMachine(), Today: day.String()}
	for _, e := range strings.Split(*engines, ",") {
		engine := db.Engine(strings.TrimSpace(e))
		if engine != db.SQLite && engine != db.Postgres {
			return fmt.Errorf("-engines: %q", e)
		}
		for _, size := range sz {
			if *fresh {
				if err := bench.DropPlanStore(ctx, engine, size, *dir, *pg); err != nil {
					return err
				}
			}
			store, err := bench.OpenPlanStore(ctx, engine, size, *dir, *pg, day, stderr)
			if err != nil {
				return fmt.Errorf("%s store of %d reports: %w", engine, size, err)
			}
			fmt.Fprintf(stderr, "%s, %d reports: %d clients, %d warm-up and %d timed requests of each kind …\n", engine, store.Made.Reports, *clients, *warmup, *n)
			res, err := bench.MeasureLoad(ctx, tools.Concord, store, bench.LoadOptions{Clients: *clients, N: *n, Warmup: *warmup, Think: *think}, stderr)
			if err != nil {
				return fmt.Errorf("%s store of %d reports: %w", engine, size, err)
			}
			rep.Runs = append(rep.Runs, res)
		}
	}
	rep.Evaluate()
	fmt.Fprintln(stderr)
	return emit(stdout, &rep, *asJSON, *strict)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
