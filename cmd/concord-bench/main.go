// Command concord-bench measures Concord against the performance targets of
// its foundation, each beside a baseline measured in the same run:
//
//   - an authenticated API list read (GET /api/v1/users, 50 per page) on
//     SQLite with 300 units and 5,000 users, in process, median under 5 ms
//     (baselines: GET /healthz through the same handler; the page's raw SQL);
//   - `concord serve` from exec until GET /readyz answers, under 1 s
//     (baseline: `concord version` from exec to exit);
//   - the server's resident memory when idle, under 60 MB (baseline: the
//     peak RSS of `concord version`).
//
// Run it from the repository root:
//
//	go run ./cmd/concord-bench
//
// "go run ./cmd/concord-bench plans" measures the supervision cycle at
// national scale instead (see plans.go), and "… supervision" the meeting
// brief, the bulletin and the scorecards on those stores (supervision.go).
//
// Flags: -units, -users, -n (timed requests per kind), -warmup, -starts,
// -idle, -db (reuse or keep a seeded store), -bin (use a built concord),
// -api-only, -json, -strict (exit 1 on a missed target). See
// docs/performance.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"concord/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errMissed):
		os.Exit(1)
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "concord-bench:", err)
		os.Exit(2)
	}
}

var errMissed = errors.New("a target was missed")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "plans" {
		return runPlans(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "supervision" {
		return runSupervision(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("concord-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	units := fs.Int("units", 300, "units to seed")
	users := fs.Int("users", 5000, "users to seed (besides the benchmark's security administrator)")
	n := fs.Int("n", 2000, "timed in-process requests of each kind")
	warmup := fs.Int("warmup", 200, "unmeasured in-process rounds first")
	starts := fs.Int("starts", 5, "timed starts of concord serve")
	idle := fs.Duration("idle", 3*time.Second, "idle time before reading the server's RSS")
	dbPath := fs.String("db", "", "SQLite file: reused if it exists (it must be a store seeded by concord-bench), otherwise seeded and kept")
	bin := fs.String("bin", "", "a built concord binary to measure (default: go build ./cmd/concord into a temporary folder)")
	apiOnly := fs.Bool("api-only", false, "only the in-process API reads (no binary, start-up or memory)")
	asJSON := fs.Bool("json", false, "write the report as JSON on stdout")
	strict := fs.Bool("strict", false, "exit with status 1 when a target is missed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *n < 1 || *starts < 1 || *units < 1 || *users < 0 || *warmup < 0 {
		return errors.New("-n, -starts and -units must be at least 1; -users and -warmup not negative")
	}
	progress := stderr

	tmp, err := os.MkdirTemp("", "concord-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// 1. The store.
	var rep bench.Report
	rep.Machine = bench.ThisMachine()
	path := *dbPath
	if path == "" {
		path = filepath.Join(tmp, "bench.db")
	}
	if _, err := os.Stat(path); err == nil {
		fmt.Fprintf(progress, "reusing %s\n", path)
		rep.Dataset, err = bench.Inspect(ctx, path)
		if err != nil {
			return err
		}
	} else {
		fmt.Fprintf(progress, "seeding %s: %d units, %d users …\n", path, *units, *users)
		rep.Dataset, err = bench.SeedFile(ctx, path, bench.SeedOptions{Units: *units, Users: *users})
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	fmt.Fprintf(progress, "store: %d units, %d users, %d audit rows\n", rep.Dataset.Units, rep.Dataset.Users, rep.Dataset.AuditRows)

	// 2. In-process API reads.
	fmt.Fprintf(progress, "in-process reads: %d warm-up rounds, then %d of each …\n", *warmup, *n)
	api, err := bench.OpenAPI(ctx, path)
	if err != nil {
		return err
	}
	if err := api.App.DB.R.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&rep.Machine.SQLite); err != nil {
		api.Close()
		return err
	}
	rep.API, err = bench.MeasureAPI(ctx, api, *n, *warmup)
	api.Close()
	if err != nil {
		return err
	}

	// 3 and 4. Start-up and idle memory of the real binary.
	if !*apiOnly {
		fmt.Fprintln(progress, "go build …")
		tools, err := bench.Build(ctx, tmp, *bin)
		if err != nil {
			return err
		}
		fmt.Fprintf(progress, "concord serve: %d starts …\n", *starts)
		p, err := bench.MeasureProcesses(ctx, tools, path, *starts, *idle, progress)
		if err != nil {
			return err
		}
		rep.Process = &p
	}

	// 5. The report.
	rep.Evaluate()
	fmt.Fprintln(progress)
	return emit(stdout, &rep, *asJSON, *strict)
}

// report is what a benchmark run prints.
type report interface {
	WriteText(io.Writer)
	Passed() bool
}

// emit writes r as text or JSON; with strict, a missed target is an error.
func emit(w io.Writer, r report, asJSON, strict bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		r.WriteText(w)
	}
	if strict && !r.Passed() {
		return errMissed
	}
	return nil
}
