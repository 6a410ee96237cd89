package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// The targets of the foundation issue.
const (
	ListTarget    = 5 * time.Millisecond // median in-process authenticated list read
	StartTarget   = time.Second          // concord serve: exec to ready
	IdleRSSTarget = 60_000_000           // bytes (60 MB, decimal) resident when idle
)

// ProcessResult holds the start-up and memory figures of the real binary.
type ProcessResult struct {
	Starts  int   `json:"starts"`
	Ready   Stats `json:"serve_ready"`  // exec → GET /readyz 200
	Version Stats `json:"version_exit"` // baseline: exec → exit of concord version
	// ReadyOverVersion is the ratio of the medians.
	ReadyOverVersion float64 `json:"ready_over_version"`
	ReadyRSS         int64   `json:"ready_rss_bytes"` // VmRSS as soon as ready, before any request
	IdleAfterSecs    float64 `json:"idle_after_secs"`
	IdleRSS          int64   `json:"idle_rss_bytes"`        // VmRSS after a handful of requests and the idle wait
	PeakRSS          int64   `json:"peak_rss_bytes"`        // VmHWM at the same moment
	VersionMaxRSS    int64   `json:"version_maxrss_bytes"`  // baseline: median max RSS of concord version
	VersionFloor     int64   `json:"version_floor_bytes"`   // the rusage helper's own high-water mark
	IdleOverVersion  float64 `json:"idle_rss_over_version"` // IdleRSS / VersionMaxRSS
}

// MeasureProcesses times `starts` starts of `concord serve` on path and as
// many runs of `concord version`, interleaved, after one unmeasured run of
// each (to warm the page cache). On the last start it reads the server's
// resident memory as soon as it is ready, then has it serve a handful of
// requests (Exercise, a sign-in among them), waits `idle` and reads it
// again.
func MeasureProcesses(ctx context.Context, t Tools, path string, starts int, idle time.Duration, progress io.Writer) (ProcessResult, error) {
	res := ProcessResult{Starts: starts, IdleAfterSecs: idle.Seconds()}
	if _, err := RunVersion(ctx, t); err != nil {
		return res, err
	}
	s, err := StartServe(ctx, t.Concord, path)
	if err != nil {
		return res, err
	}
	if err := s.Stop(); err != nil {
		return res, fmt.Errorf("stop concord serve: %w", err)
	}
	var ready, version, vrss []time.Duration // vrss: bytes held in a Duration to reuse Summarize
	for i := range starts {
		v, err := RunVersion(ctx, t)
		if err != nil {
			return res, err
		}
		version = append(version, v.Wall)
		vrss = append(vrss, time.Duration(v.MaxRSS))
		res.VersionFloor = max(res.VersionFloor, v.Floor)
		s, err := StartServe(ctx, t.Concord, path)
		if err != nil {
			return res, err
		}
		ready = append(ready, s.Ready)
		fmt.Fprintf(progress, "  start %d/%d: ready in %s (concord version: %s)\n", i+1, starts, s.Ready.Round(time.Microsecond), v.Wall.Round(time.Microsecond))
		if i == starts-1 {
			if err := s.measureMemory(ctx, &res, idle, progress); err != nil {
				s.Stop()
				return res, err
			}
		}
		if err := s.Stop(); err != nil {
			return res, fmt.Errorf("stop concord serve: %w", err)
		}
	}
	res.Ready, res.Version = Summarize(ready), Summarize(version)
	res.ReadyOverVersion = ratio(float64(res.Ready.Median), float64(res.Version.Median))
	res.VersionMaxRSS = int64(Summarize(vrss).Median)
	res.IdleOverVersion = ratio(float64(res.IdleRSS), float64(res.VersionMaxRSS))
	return res, nil
}

func (s *Server) measureMemory(ctx context.Context, res *ProcessResult, idle time.Duration, progress io.Writer) error {
	m, err := ReadMemory(s.Cmd.Process.Pid)
	if err != nil {
		return err
	}
	res.ReadyRSS = m.RSS
	if err := s.Exercise(ctx); err != nil {
		return err
	}
	fmt.Fprintf(progress, "  served a handful of requests; idle for %s\n", idle)
	select {
	case <-time.After(idle):
	case <-ctx.Done():
		return ctx.Err()
	}
	if m, err = ReadMemory(s.Cmd.Process.Pid); err != nil {
		return err
	}
	res.IdleRSS, res.PeakRSS = m.RSS, m.Peak
	return nil
}

// Machine describes where the figures were taken.
type Machine struct {
	CPUs      int    `json:"cpus"`
	CPU       string `json:"cpu"`
	Memory    string `json:"memory"`
	OS        string `json:"os"`
	Kernel    string `json:"kernel"`
	Go        string `json:"go"`
	SQLite    string `json:"sqlite"`
	Timestamp string `json:"timestamp"`
}

// ThisMachine describes the machine from the runtime and /proc.
func ThisMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(),
		Timestamp: time.Now().UTC().Format(time.RFC3339)}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				m.Memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

// Target is one performance target and whether it was met.
type Target struct {
	Name     string  `json:"name"`
	Limit    string  `json:"target"`
	Measured string  `json:"measured"`
	Pass     bool    `json:"pass"`
	Baseline string  `json:"baseline"`
	Ratio    float64 `json:"ratio"`
}

// Report is everything one run measured.
type Report struct {
	Machine Machine        `json:"machine"`
	Dataset Dataset        `json:"dataset"`
	API     APIResult      `json:"api"`
	Process *ProcessResult `json:"process,omitempty"`
	Outcome
}

// Evaluate fills in the targets from the measurements.
func (r *Report) Evaluate() {
	r.Targets = []Target{{
		Name: "API list read (GET /api/v1/users, 50 per page), median", Limit: "< 5 ms",
		Measured: fmtMS(r.API.Users.Median), Pass: r.API.Users.Median < ListTarget,
		Baseline: "GET /healthz " + fmtMS(r.API.Healthz.Median), Ratio: r.API.UsersOverHealthz,
	}}
	if p := r.Process; p != nil {
		r.Targets = append(r.Targets, Target{
			Name: "concord serve: exec → /readyz 200, median", Limit: "< 1 s",
			Measured: fmtMS(p.Ready.Median), Pass: p.Ready.Median < StartTarget,
			Baseline: "concord version " + fmtMS(p.Version.Median), Ratio: p.ReadyOverVersion,
		}, Target{
			Name: fmt.Sprintf("idle RSS (VmRSS, %gs after a handful of requests)", p.IdleAfterSecs), Limit: "< 60 MB",
			Measured: fmtMB(p.IdleRSS), Pass: p.IdleRSS < IdleRSSTarget,
			Baseline: "concord version max RSS " + fmtMB(p.VersionMaxRSS), Ratio: p.IdleOverVersion,
		})
	}
}

// Outcome is a report's targets, each met or not.
type Outcome struct {
	Targets []Target `json:"targets"`
}

// Passed reports whether every target was met.
func (o Outcome) Passed() bool {
	for _, t := range o.Targets {
		if !t.Pass {
			return false
		}
	}
	return true
}

func fmtMS(d time.Duration) string { return fmt.Sprintf("%.3f ms", ms(d)) }
func fmtMB(b int64) string         { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

// WriteText writes the report as readable tables.
func (r *Report) WriteText(w io.Writer) {
	m, d := r.Machine, r.Dataset
	fmt.Fprintf(w, "Concord benchmark — %s, %d CPUs (%s), %s RAM, %s, kernel %s, SQLite %s\n", m.OS, m.CPUs, m.CPU, m.Memory, m.Go, m.Kernel, m.SQLite)
	how := "reused"
	if d.Seeded {
		how = fmt.Sprintf("seeded in %.1f s", d.SeedSecs)
	}
	fmt.Fprintf(w, "Store: %s (%s): %d units, %d users, %d role grants, %d audit rows\n\n", d.Path, how, d.Units, d.Users, d.UserRoles, d.AuditRows)

	a := r.API
	fmt.Fprintf(w, "In-process reads through Server.Handler() (%d each after %d warm-up rounds, interleaved; %d pages of %d):\n", a.N, a.Warmup, a.Pages, PerPage)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "request\tmedian\tp90\tp99\tmin\tmedian ÷ healthz\t")
	row := func(name string, s Stats) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.2f×\t\n", name, fmtMS(s.Median), fmtMS(s.P90), fmtMS(s.P99), fmtMS(s.Min),
			ratio(float64(s.Median), float64(a.Healthz.Median)))
	}
	row("GET /api/v1/users?page=K&per_page=50", a.Users)
	row(fmt.Sprintf("GET /api/v1/units (%d units)", d.Units), a.Units)
	row("baseline: GET /healthz", a.Healthz)
	row("baseline: raw SQL count + page", a.RawSQL)
	tw.Flush()
	fmt.Fprintf(w, "users list ÷ raw SQL: %.2f×; one users page is %d bytes, %.0f allocations, %.0f KB allocated per request\n\n",
		a.UsersOverRawSQL, a.Bytes, a.AllocsPerList, a.BytesPerList/1e3)

	if p := r.Process; p != nil {
		fmt.Fprintf(w, "Real binary (%d starts of concord serve on the store, interleaved with concord version):\n", p.Starts)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "measure\tmedian\tmin\tmax\t")
		fmt.Fprintf(tw, "serve: exec → /readyz 200\t%s\t%s\t%s\t\n", fmtMS(p.Ready.Median), fmtMS(p.Ready.Min), fmtMS(p.Ready.Max))
		fmt.Fprintf(tw, "baseline: concord version, exec → exit\t%s\t%s\t%s\t\n", fmtMS(p.Version.Median), fmtMS(p.Version.Min), fmtMS(p.Version.Max))
		tw.Flush()
		fmt.Fprintf(w, "ready ÷ version: %.2f×\n", p.ReadyOverVersion)
		fmt.Fprintf(w, "serve RSS: %s when ready, %s idle %gs after a handful of requests (peak %s)\n", fmtMB(p.ReadyRSS), fmtMB(p.IdleRSS), p.IdleAfterSecs, fmtMB(p.PeakRSS))
		fmt.Fprintf(w, "idle RSS ÷ concord version max RSS %s (spawned by a helper of %s): %.2f×\n\n",
			fmtMB(p.VersionMaxRSS), fmtMB(p.VersionFloor), p.IdleOverVersion)
	}

	fmt.Fprintln(w, "Targets:")
	writeTargets(w, r.Targets)
}

// writeTargets writes targets as a table with PASS or FAIL.
func writeTargets(w io.Writer, targets []Target) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\tlimit\tmeasured\tbaseline\tratio\tresult")
	for _, t := range targets {
		res := "PASS"
		if !t.Pass {
			res = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f×\t%s\n", t.Name, t.Limit, t.Measured, t.Baseline, t.Ratio, res)
	}
	tw.Flush()
}
