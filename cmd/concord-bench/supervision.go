package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"concord/internal/bench"
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
	stores := addStoreFlags(fs, "2000000", "sqlite")
	reps := fs.Int("n", 5, "timed rounds of each call, after one unmeasured")
	asJSON := fs.Bool("json", false, "write the report as JSON on stdout")
	strict := fs.Bool("strict", false, "exit with status 1 when a target is missed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *reps < 1 {
		return errors.New("supervision: unexpected arguments, or -n below 1")
	}
	day, picked, err := stores.pick()
	if err != nil {
		return err
	}
	rep := bench.SupervisionReport{Machine: bench.ThisMachine(), Today: day.String()}
	for _, st := range picked {
		plans, err := bench.OpenPlanStore(ctx, st.engine, st.size, *stores.dir, *stores.pg, day, stderr)
		if err != nil {
			return fmt.Errorf("%s store of %d reports: %w", st.engine, st.size, err)
		}
		store, err := bench.OpenSupervisionStore(ctx, plans, day, stderr)
		if err != nil {
			return fmt.Errorf("%s store of %d reports: %w", st.engine, st.size, err)
		}
		fmt.Fprintf(stderr, "%s, %d reports: timing the brief, the bulletin and the scorecard %d times …\n", st.engine, plans.Made.Reports, *reps)
		run, err := bench.MeasureSupervision(ctx, store, *reps)
		if err != nil {
			return fmt.Errorf("%s store of %d reports: %w", st.engine, st.size, err)
		}
		rep.Runs = append(rep.Runs, run)
	}
	rep.Evaluate()
	fmt.Fprintln(stderr)
	return emit(stdout, &rep, *asJSON, *strict)
}
