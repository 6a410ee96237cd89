package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"concord/internal/bench"
	"concord/internal/bench/gen"
	"concord/internal/clock"
	"concord/internal/config"
)

func generateCmd() *cobra.Command {
	var units, users, tasks, reports int
	var seed uint64
	var today string
	c := &cobra.Command{
		Use:   "generate",
		Short: "Fill an empty store with a synthetic alliance at national scale, for benchmarks",
		Long: `Fill an empty store (it is migrated first) with a synthetic alliance for
benchmarks and load tests: the alliance, its six areas and --units units, the
security administrator bench-secadmin and --users users (password
` + bench.Password + `), then plans and goals over the six areas, --tasks tasks with
lead and co-operating units and about --reports progress reports in every
state, as if the supervision cycle had run for years up to --today.

It is benchmark data, not a sample to show: use "concord demo" for that. The
same sizes and --seed give the same store.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if units < 2 || users < 10 || tasks < 1 || reports < 0 {
				return usageError{errors.New("need --units ≥ 2, --users ≥ 10 (one in ten is a coordinator), --tasks ≥ 1 and --reports ≥ 0")}
			}
			opt := gen.Options{Tasks: tasks, Reports: reports, Seed: seed, Progress: cmd.ErrOrStderr()}
			if today != "" {
				d, err := clock.ParseDate(today)
				if err != nil {
					return usageError{fmt.Errorf("--today: %w", err)}
				}
				opt.Today = d
			}
			ctx := cmd.Context()
			d, cfg, err := openDB(cmd)
			if err != nil {
				return err
			}
			defer d.Close()
			if err := d.Migrate(ctx); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			var n int
			if err := d.R.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM alliance) + (SELECT count(*) FROM units) + (SELECT count(*) FROM users)`).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("%s is not empty: generate fills an empty database only", config.MaskURL(cfg.DB))
			}
			out := cmd.OutOrStdout()
			start := time.Now()
			fmt.Fprintf(cmd.ErrOrStderr(), "alliance, %d units and %d users …\n", units, users)
			if err := bench.Seed(ctx, d, bench.SeedOptions{Units: units, Users: users}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "plans: %d tasks, about %d reports …\n", tasks, reports)
			made, err := gen.Generate(ctx, d, opt)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "generated in %.1f s: %d units, %d users, %d plans, %d goals, %d tasks, %d assignments, %d reports, %d chases, %d search documents\n",
				time.Since(start).Seconds(), units, users+1, made.Plans, made.Goals, made.Tasks, made.Assignments, made.Reports, made.Chases, made.SearchDocs)
			return nil
		},
	}
	f := c.Flags()
	f.IntVar(&units, "units", 300, "member units")
	f.IntVar(&users, "users", 5000, "users besides bench-secadmin")
	f.IntVar(&tasks, "tasks", 100000, "tasks")
	f.IntVar(&reports, "reports", 2000000, "progress reports, roughly")
	f.Uint64Var(&seed, "seed", 1, "random seed")
	f.StringVar(&today, "today", "", "the day the data is as of, YYYY-MM-DD (default: today)")
	settings(f)
	return c
}
