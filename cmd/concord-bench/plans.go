package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"concord/internal/bench"
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
	stores := addStoreFlags(fs, "10000,100000,1000000,2000000", "sqlite,postgres")
	fresh := fs.Bool("fresh", false, "regenerate the stores even if they exist")
	clients := fs.Int("clients", 50, "concurrent clients")
	think := fs.Duration("think", 0, "each client's mean pause between requests (uniform in [0, 2×think)); 0: never pause (saturation)")
	n := fs.Int("n", 1000, "timed requests of each kind per store")
	// PostgreSQL's server processes each prepare and plan a statement the
	// first times they meet it, and the pool grows to the admitted reads:
	// the first few hundred requests of each kind measure that ramp, not a
	// server that has been running.
	warmup := fs.Int("warmup", 500, "unmeasured requests of each kind first")
	bin := fs.String("bin", "", "a built concord binary (default: go build ./cmd/concord)")
	asJSON := fs.Bool("json", false, "write the report as JSON on stdout")
	strict := fs.Bool("strict", false, "exit with status 1 when a target is missed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *clients < 1 || *n < 1 || *warmup < 0 || *think < 0 {
		return errors.New("plans: unexpected arguments, -clients/-n below 1, or a negative -think")
	}
	day, picked, err := stores.pick()
	if err != nil {
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
	for _, st := range picked {
		if *fresh {
			if err := bench.DropPlanStore(ctx, st.engine, st.size, *stores.dir, *stores.pg); err != nil {
				return err
			}
		}
		store, err := bench.OpenPlanStore(ctx, st.engine, st.size, *stores.dir, *stores.pg, day, stderr)
		if err != nil {
			return fmt.Errorf("%s store of %d reports: %w", st.engine, st.size, err)
		}
		fmt.Fprintf(stderr, "%s, %d reports: %d clients, %d warm-up and %d timed requests of each kind …\n", st.engine, store.Made.Reports, *clients, *warmup, *n)
		res, err := bench.MeasureLoad(ctx, tools.Concord, store, bench.LoadOptions{Clients: *clients, N: *n, Warmup: *warmup, Think: *think}, stderr)
		if err != nil {
			return fmt.Errorf("%s store of %d reports: %w", st.engine, st.size, err)
		}
		rep.Runs = append(rep.Runs, res)
	}
	rep.Evaluate()
	fmt.Fprintln(stderr)
	return emit(stdout, &rep, *asJSON, *strict)
}
