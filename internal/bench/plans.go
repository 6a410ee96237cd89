package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"concord/internal/access"
	"concord/internal/bench/gen"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/plans"
)

// PlansLogin is the coordinator the plans benchmark reads as: Seed gives
// user i the role roleMix[i mod 10], and the ninth is a coordinator.
const PlansLogin = "user00009"

// The targets of the plans issue, on a 300-unit, 100,000-task,
// 2,000,000-report store with 50 concurrent clients.
const (
	PlansP95Target = 50 * time.Millisecond // dashboard and filtered task list, 95th percentile
	PlansRSSTarget = 300_000_000           // bytes (300 MB) resident while serving that load
)

// TasksPerReport sizes a store's tasks from its reports: 100,000 tasks for
// 2,000,000 reports.
const TasksPerReport = 20

// PlanStore is a generated store of one engine and size.
type PlanStore struct {
	Engine  db.Engine  `json:"engine"`
	URL     string     `json:"-"`
	Reports int        `json:"reports_asked"`
	Made    gen.Counts `json:"generated"`
	Reused  bool       `json:"reused"`
}

// OpenPlanStore returns the store of engine and size reports: a SQLite file
// in dir or a PostgreSQL database next to the one pgURL names, reused when
// it already holds generated data and generated (300 units, 5,000 users,
// reports/20 tasks) otherwise.
func OpenPlanStore(ctx context.Context, engine db.Engine, reports int, dir, pgURL string, today clock.Date, progress io.Writer) (PlanStore, error) {
	s := PlanStore{Engine: engine, Reports: reports}
	name := fmt.Sprintf("concord_bench_%d", reports)
	if engine == db.SQLite {
		s.URL = filepath.Join(dir, name+".db")
	} else {
		u, err := url.Parse(pgURL)
		if err != nil {
			return s, err
		}
		admin, err := db.Open(ctx, pgURL)
		if err != nil {
			return s, err
		}
		var exists bool
		err = admin.R.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists)
		if err == nil && !exists {
			_, err = admin.W.ExecContext(ctx, `CREATE DATABASE `+name)
		}
		admin.Close()
		if err != nil {
			return s, err
		}
		u.Path = "/" + name
		s.URL = u.String()
	}
	d, err := db.Open(ctx, s.URL)
	if err != nil {
		return s, err
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		return s, err
	}
	var generated int
	if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'bench.generate'`).Scan(&generated); err != nil {
		return s, err
	}
	if generated > 0 {
		s.Reused = true
		fmt.Fprintf(progress, "reusing %s store of %d reports\n", engine, reports)
		return s, s.count(ctx, d)
	}
	fmt.Fprintf(progress, "generating %s store: %d tasks, about %d reports …\n", engine, max(1, reports/TasksPerReport), reports)
	start := time.Now()
	if err := Seed(ctx, d, SeedOptions{Units: 300, Users: 5000}); err != nil {
		return s, err
	}
	s.Made, err = gen.Generate(ctx, d, gen.Options{Tasks: max(1, reports/TasksPerReport), Reports: reports, Seed: 1, Today: today, Progress: progress})
	s.Made.Seconds = time.Since(start).Round(100 * time.Millisecond).Seconds()
	return s, err
}

// count fills Made from a reused store.
func (s *PlanStore) count(ctx context.Context, d *db.DB) error {
	for _, c := range []struct {
		q string
		n *int
	}{
		{`SELECT count(*) FROM plans`, &s.Made.Plans}, {`SELECT count(*) FROM tasks`, &s.Made.Tasks},
		{`SELECT count(*) FROM assignments`, &s.Made.Assignments}, {`SELECT count(*) FROM reports`, &s.Made.Reports},
		{`SELECT count(*) FROM chases`, &s.Made.Chases}, {`SELECT count(*) FROM search_docs`, &s.Made.SearchDocs},
	} {
		if err := d.R.QueryRowContext(ctx, c.q).Scan(c.n); err != nil {
			return err
		}
	}
	return nil
}

// LoadOptions shape a load run.
type LoadOptions struct {
	Clients int // concurrent clients
	N       int // timed requests of each kind
	Warmup  int // unmeasured requests of each kind first
	// Think is each client's mean pause after an answer, drawn uniformly
	// from [0, 2×Think): people reading pages. Zero: clients never pause,
	// and the server is saturated.
	Think time.Duration
}

// Kind is the timings of one kind of request under load.
type Kind struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Stats Stats  `json:"stats"`
	// P95OverBaseline is this kind's p95 ÷ the baseline's p95.
	P95OverBaseline float64 `json:"p95_over_baseline"`
	Skipped         string  `json:"skipped,omitempty"` // why it was not measured
}

// LoadResult is what one store measured.
type LoadResult struct {
	Store      PlanStore `json:"store"`
	Clients    int       `json:"clients"`
	ThinkMS    float64   `json:"think_ms"`               // clients' mean pause between requests
	SweepSecs  float64   `json:"first_daily_sweep_secs"` // the daily sweep `concord serve` runs on start
	HTTP       []Kind    `json:"http"`                   // through the served binary; the last is the baseline
	Single     []Kind    `json:"http_one_client"`        // the same, one client at a time: the cost of a request unloaded
	PerSecond  float64   `json:"requests_per_sec"`
	RSSPeak    int64     `json:"rss_peak_bytes"` // VmRSS sampled during the load, highest
	RSSEnd     int64     `json:"rss_end_bytes"`
	HWM        int64     `json:"vmhwm_bytes"`
	Service    []Kind    `json:"service"`     // the service calls in process, same concurrency; the last is the baseline
	MissingMS  float64   `json:"missing_ms"`  // the dashboard's live missing-reports count alone, median
	ImportSecs float64   `json:"import_secs"` // the plan workbook import: read, validated and committed
	ImportRows int       `json:"import_rows"` // rows imported
}

// MeasureLoad serves the store with the concord binary, waits for the
// daily sweep it runs on start, then has opt.Clients clients read the
// dashboard and filtered task lists (API and pages) with /healthz as the
// baseline, all interleaved, while sampling the server's memory; then times
// the same service calls in process.
func MeasureLoad(ctx context.Context, bin string, s PlanStore, opt LoadOptions, progress io.Writer) (LoadResult, error) {
	res := LoadResult{Store: s, Clients: opt.Clients, ThinkMS: float64(opt.Think.Microseconds()) / 1000}
	d, err := db.Open(ctx, s.URL)
	if err != nil {
		return res, err
	}
	defer d.Close()
	units, err := db.All(ctx, d.R, func(row db.Scanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `SELECT id FROM units ORDER BY id`)
	if err != nil {
		return res, err
	}
	srv, err := StartServe(ctx, bin, s.URL)
	if err != nil {
		return res, err
	}
	defer srv.Stop()
	start := time.Now()
	if err := waitSweep(ctx, d); err != nil {
		fmt.Fprintf(progress, "  (daily sweep: %v)\n", err)
	}
	res.SweepSecs = time.Since(start).Round(10 * time.Millisecond).Seconds()
	fmt.Fprintf(progress, "  served; first daily sweep took %.1f s\n", res.SweepSecs)
	token, err := srv.signIn(ctx, PlansLogin)
	if err != nil {
		return res, err
	}
	res.HTTP = []Kind{
		{Name: "dashboard API", Path: "/api/v1/dashboard"},
		{Name: "dashboard page", Path: "/"},
		{Name: "task list API, one unit's red tasks", Path: "/api/v1/tasks?unit_id=%d&light=red&limit=50"},
		{Name: "task list page, one unit's red tasks", Path: "/tasks?unit_id=%d&light=red"},
		{Name: "baseline: /healthz", Path: "/healthz"},
	}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: opt.Clients, MaxConnsPerHost: opt.Clients}}
	get := func(path string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+srv.Addr+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		r, err := client.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if err == nil && r.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %d", path, r.StatusCode)
		}
		return err
	}
	pathOf := func(k Kind, i int) string {
		if strings.Contains(k.Path, "%d") {
			return fmt.Sprintf(k.Path, units[i%len(units)])
		}
		return k.Path
	}
	var live []int // the kinds that answer
	for i, k := range res.HTTP {
		if err := get(pathOf(k, 0)); err != nil {
			res.HTTP[i].Skipped = err.Error()
			continue
		}
		live = append(live, i)
	}
	res.Single = slices.Clone(res.HTTP)
	one := LoadOptions{Clients: 1, N: max(50, opt.N/5), Warmup: min(opt.Warmup, 20)}
	kept, err := runClients(one, len(live), func(kind, round int) error {
		return get(pathOf(res.HTTP[live[kind]], round))
	})
	if err != nil {
		return res, err
	}
	summarize(res.Single, spread(kept, live, len(res.HTTP)))

	var peak int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if m, err := ReadMemory(srv.Cmd.Process.Pid); err == nil {
				peak = max(peak, m.RSS)
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	loadStart := time.Now()
	kept, err = runClients(opt, len(live), func(kind, round int) error {
		return get(pathOf(res.HTTP[live[kind]], round))
	})
	res.PerSecond = float64(len(live)*(opt.N+opt.Warmup)) / time.Since(loadStart).Seconds()
	close(stop)
	<-sampled
	if err != nil {
		return res, err
	}
	res.RSSPeak = peak
	if m, err := ReadMemory(srv.Cmd.Process.Pid); err == nil {
		res.RSSEnd, res.HWM = m.RSS, m.Peak
	}
	summarize(res.HTTP, spread(kept, live, len(res.HTTP)))
	fmt.Fprintf(progress, "  %d clients: %.0f requests/s, RSS peak %s\n", opt.Clients, res.PerSecond, fmtMB(res.RSSPeak))
	if err := srv.Stop(); err != nil {
		return res, err
	}
	saturated := opt
	saturated.Think = 0
	if res.Service, err = measureService(ctx, d, units, saturated); err != nil {
		return res, err
	}
	res.MissingMS, err = timeMissing(ctx, d)
	if err != nil {
		return res, err
	}
	if res.ImportRows, res.ImportSecs, err = importWorkbook(ctx, d, 10000); err != nil {
		return res, fmt.Errorf("workbook import: %w", err)
	}
	return res, nil
}

// runClients runs opt.Clients goroutines that between them make
// opt.Warmup+opt.N calls of each of kinds kinds, interleaved: call j is of
// kind j mod kinds, round j / kinds. It returns the durations of each
// kind's calls after the first opt.Warmup rounds.
func runClients(opt LoadOptions, kinds int, call func(kind, round int) error) ([][]time.Duration, error) {
	total := (opt.Warmup + opt.N) * kinds
	kept := make([][]time.Duration, kinds)
	var mu sync.Mutex
	var first error
	next := 0
	var wg sync.WaitGroup
	for range opt.Clients {
		wg.Go(func() {
			for {
				mu.Lock()
				j := next
				next++
				stop := j >= total || first != nil
				mu.Unlock()
				if stop {
					return
				}
				kind, round := j%kinds, j/kinds
				t0 := time.Now()
				err := call(kind, round)
				d := time.Since(t0)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				if round >= opt.Warmup {
					kept[kind] = append(kept[kind], d)
				}
				mu.Unlock()
				if opt.Think > 0 {
					time.Sleep(rand.N(2 * opt.Think))
				}
			}
		})
	}
	wg.Wait()
	return kept, first
}

// spread puts the timings of the live kinds back at their places among n.
func spread(kept [][]time.Duration, live []int, n int) [][]time.Duration {
	times := make([][]time.Duration, n)
	for i, k := range live {
		times[k] = kept[i]
	}
	return times
}

func summarize(ks []Kind, times [][]time.Duration) {
	base := Summarize(times[len(ks)-1])
	for i := range ks {
		if ks[i].Skipped != "" {
			continue
		}
		ks[i].Stats = Summarize(times[i])
		ks[i].P95OverBaseline = ratio(float64(ks[i].Stats.P95), float64(base.P95))
	}
}

// waitSweep waits until the plans' daily job, which a starting server runs
// at once, has finished its current slot.
func waitSweep(ctx context.Context, d *db.DB) error {
	deadline := time.Now().Add(15 * time.Minute)
	for time.Now().Before(deadline) {
		var done bool
		var msg string
		err := d.R.QueryRowContext(ctx, `SELECT finished_at IS NOT NULL, error FROM job_runs WHERE name = 'plans.daily' ORDER BY slot DESC LIMIT 1`).Scan(&done, &msg)
		switch {
		case err == nil && done:
			return nil
		case err == nil && msg != "":
			return errors.New(msg)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("not finished after 15 minutes")
}

// signIn returns a bearer token of login.
func (s *Server) signIn(ctx context.Context, login string) (string, error) {
	body := fmt.Sprintf(`{"login":%q,"password":%q}`, login, Password)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+s.Addr+"/api/v1/session", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := probe.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusCreated || out.Token == "" {
		return "", fmt.Errorf("sign in as %s: %d %v", login, res.StatusCode, err)
	}
	return out.Token, nil
}

// measureService times the dashboard and the filtered task list as service
// calls in process, opt.Clients at once, beside a `SELECT 1` through the
// same pool as the baseline.
func measureService(ctx context.Context, d *db.DB, units []int64, opt LoadOptions) ([]Kind, error) {
	var coord access.Actor
	if err := d.R.QueryRowContext(ctx, `SELECT id, unit_id FROM users WHERE login = $1`, PlansLogin).Scan(&coord.UserID, &coord.UnitID); err != nil {
		return nil, err
	}
	coord.Login, coord.Roles = PlansLogin, []access.Role{access.Coordinator}
	as := access.WithActor(ctx, &coord)
	svc := &plans.Service{DB: d, Clock: clock.System}
	ks := []Kind{
		{Name: "Service.Dashboard(0)", Path: "Dashboard"},
		{Name: "Service.ListTasks(unit, red, 50)", Path: "ListTasks"},
		{Name: "baseline: SELECT 1", Path: "SELECT 1"},
	}
	calls := []func(round int) error{
		func(int) error { _, err := svc.Dashboard(as, 0); return err },
		func(round int) error {
			_, _, err := svc.ListTasks(as, plans.TaskFilter{UnitID: units[round%len(units)], Light: plans.Red, Limit: 50})
			return err
		},
		func(int) error { var one int; return d.R.QueryRowContext(ctx, `SELECT 1`).Scan(&one) },
	}
	times, err := runClients(opt, len(ks), func(kind, round int) error { return calls[kind](round) })
	summarize(ks, times)
	return ks, err
}

// timeMissing times the one part of the dashboard computed from the
// reports themselves: the count of missing reports per unit.
func timeMissing(ctx context.Context, d *db.DB) (float64, error) {
	var ts []time.Duration
	today := clock.Today(clock.System)
	for range 21 {
		t0 := time.Now()
		rows, err := d.R.QueryContext(ctx, `SELECT +unit_id, count(*) FROM reports WHERE state IN ('pending','draft') AND live = TRUE AND due_on < $1 GROUP BY 1`, today)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
		}
		rows.Close()
		ts = append(ts, time.Since(t0))
	}
	return ms(Summarize(ts).Median), nil
}

// PlansReport is a run of the plans benchmark.
type PlansReport struct {
	Machine Machine      `json:"machine"`
	Today   string       `json:"today"`
	Runs    []LoadResult `json:"runs"`
	Outcome
}

// Evaluate checks the targets on the largest store of each engine.
func (r *PlansReport) Evaluate() {
	r.Targets = nil
	largest := map[db.Engine]LoadResult{}
	for _, run := range r.Runs {
		if run.Store.Reports >= largest[run.Store.Engine].Store.Reports {
			largest[run.Store.Engine] = run
		}
	}
	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		run, ok := largest[e]
		if !ok {
			continue
		}
		base := run.HTTP[len(run.HTTP)-1].Stats.P95
		for _, k := range run.HTTP[:len(run.HTTP)-1] {
			if k.Skipped != "" {
				continue
			}
			r.Targets = append(r.Targets, Target{
				Name:  fmt.Sprintf("%s, %s, %d reports, p95 with %d clients%s", k.Name, e, run.Store.Made.Reports, run.Clients, run.pace()),
				Limit: "< 50 ms", Measured: fmtMS(k.Stats.P95), Pass: k.Stats.P95 < PlansP95Target,
				Baseline: "/healthz p95 " + fmtMS(base), Ratio: k.P95OverBaseline,
			})
		}
		r.Targets = append(r.Targets, Target{
			Name:  fmt.Sprintf("RSS of concord serve under that load, %s", e),
			Limit: "< 300 MB", Measured: fmtMB(run.RSSPeak), Pass: run.RSSPeak < PlansRSSTarget,
			Baseline: "", Ratio: 0,
		})
	}
}

// WriteText writes the report as readable tables.
func (r *PlansReport) WriteText(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "Concord plans benchmark, as of %s — %s, %d CPUs (%s), %s RAM, %s, kernel %s\n\n", r.Today, m.OS, m.CPUs, m.CPU, m.Memory, m.Go, m.Kernel)
	for _, run := range r.Runs {
		s := run.Store
		how := "reused"
		if !s.Reused {
			how = fmt.Sprintf("generated in %.0f s", s.Made.Seconds)
		}
		fmt.Fprintf(w, "%s, %d tasks, %d assignments, %d reports (%s); first daily sweep %.1f s; %d clients%s, %.0f requests/s\n",
			s.Engine, s.Made.Tasks, s.Made.Assignments, s.Made.Reports, how, run.SweepSecs, run.Clients, run.pace(), run.PerSecond)
		table(w, run.HTTP)
		fmt.Fprintln(w, "one client at a time:")
		table(w, run.Single)
		fmt.Fprintf(w, "serve RSS under load: peak %s, after %s (VmHWM %s)\n", fmtMB(run.RSSPeak), fmtMB(run.RSSEnd), fmtMB(run.HWM))
		fmt.Fprintln(w, "in process, same concurrency:")
		table(w, run.Service)
		fmt.Fprintf(w, "missing reports per unit (the dashboard's one live count over reports): %.3f ms median, alone\n", run.MissingMS)
		fmt.Fprintf(w, "plan workbook import (read, validated, committed): %d rows in %.1f s (target < 5 s)\n\n", run.ImportRows, run.ImportSecs)
	}
	fmt.Fprintln(w, "Targets (largest store of each engine):")
	writeTargets(w, r.Targets)
}

// pace says how the clients paced themselves: "" when they never paused.
func (r LoadResult) pace() string {
	if r.ThinkMS == 0 {
		return ""
	}
	return fmt.Sprintf(" thinking %g ms on average", r.ThinkMS)
}

func table(w io.Writer, ks []Kind) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "request\tp50\tp95\tp99\tmax\tp95 ÷ baseline p95")
	for _, k := range ks {
		if k.Skipped != "" {
			fmt.Fprintf(tw, "%s\tnot measured: %s\t\t\t\t\n", k.Name, k.Skipped)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.2f×\n", k.Name, fmtMS(k.Stats.Median), fmtMS(k.Stats.P95), fmtMS(k.Stats.P99), fmtMS(k.Stats.Max), k.P95OverBaseline)
	}
	tw.Flush()
}

// PlansDir is where the plans benchmark keeps its SQLite stores by default.
func PlansDir() string { return filepath.Join(os.TempDir(), "concord-bench-plans") }

// DropPlanStore removes the store OpenPlanStore would reuse.
func DropPlanStore(ctx context.Context, engine db.Engine, reports int, dir, pgURL string) error {
	name := fmt.Sprintf("concord_bench_%d", reports)
	if engine == db.SQLite {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(filepath.Join(dir, name+".db"+suffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		return nil
	}
	admin, err := db.Open(ctx, pgURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.W.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name)
	return err
}
