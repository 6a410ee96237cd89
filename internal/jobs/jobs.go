// Package jobs runs scheduled work exactly once across every Concord
// instance that shares a database.
//
// A job's time is cut into slots of Job.Every (UTC, counted from Go's zero
// time, so daily slots start at 00:00 UTC). Each pass, an instance claims the
// current slot of every job by inserting its row into job_runs; the primary
// key (name, slot) lets one insert win, and only the winner runs the job. A
// claim holds for a lease that the running instance keeps renewing; when an
// instance dies mid-run its lease runs out and another takes the slot over.
// A failed run is retried on a later pass, with growing pauses, up to
// maxAttempts times.
//
// Missed slots are not replayed: after downtime a job runs once, for the
// current slot, so Run must cover everything due up to the slot it is given
// (for example "reminders due by slot", not "reminders due today").
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"concord/internal/clock"
	"concord/internal/db"
)

// Job is work done once per slot.
type Job struct {
	Name  string
	Every time.Duration
	// Run does the work for slot (the start of the current slot). It should
	// be idempotent: a run that outlives its lease while the database is
	// unreachable may overlap the instance that takes it over.
	Run func(ctx context.Context, slot time.Time) error
}

const (
	maxAttempts  = 5                   // runs of one slot before giving up on it
	firstRetry   = time.Minute         // pause after the first failure; doubles after each
	keepHistory  = 30 * 24 * time.Hour // job_runs rows older than this are deleted
	defaultLease = 5 * time.Minute
	maxErrorLen  = 2000
)

// Runner claims and runs due jobs. Set its fields, Add the jobs, then call
// Start (or RunDue); Add is not safe once the runner is running.
type Runner struct {
	DB       *db.DB
	Clock    clock.Clock   // nil: the system clock
	Log      *slog.Logger  // nil: slog.Default()
	Instance string        // names this process in job_runs; "": host:pid
	Lease    time.Duration // how long a claim holds unless renewed; 0: 5 minutes
	jobs     []Job
}

// Add registers a job. A job without a name, schedule or Run is a
// programming error and panics.
func (r *Runner) Add(j Job) {
	if j.Name == "" || j.Every <= 0 || j.Run == nil {
		panic(fmt.Sprintf("jobs: job %q needs a name, a positive Every and a Run", j.Name))
	}
	r.jobs = append(r.jobs, j)
}

// Start runs a pass at once and then every tick until ctx is done. Failures
// are logged and recorded in job_runs; the loop carries on.
func (r *Runner) Start(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		_ = r.RunDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue makes one pass: every job whose current slot is neither done, nor
// held by another instance, nor out of attempts is claimed and run, one
// after another. It returns every failure, each also logged.
func (r *Runner) RunDue(ctx context.Context) error {
	var failures []error
	for _, j := range r.jobs {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(failures, err)...)
		}
		if err := r.runDue(ctx, j); err != nil {
			r.log().Error("job failed", "job", j.Name, "instance", r.instance(), "err", err)
			failures = append(failures, fmt.Errorf("job %s: %w", j.Name, err))
		}
	}
	return errors.Join(failures...)
}

func (r *Runner) runDue(ctx context.Context, j Job) error {
	now := r.now()
	slot := now.Truncate(j.Every)
	c := slotClaim{name: j.Name, slot: slot, instance: r.instance()}
	won, err := r.claim(ctx, &c, now)
	if err != nil || !won {
		return err
	}
	if c.attempt == 1 {
		// The first claim of a slot happens once per job and slot across
		// all instances: a cheap moment to trim the history.
		if _, err := r.DB.W.ExecContext(ctx, `DELETE FROM job_runs WHERE name = $1 AND slot < $2`, j.Name, now.Add(-keepHistory)); err != nil {
			r.log().Warn("trim job history", "job", j.Name, "err", err)
		}
	}
	runErr := r.run(ctx, j, c)
	// Record the outcome even when ctx was cancelled (shutdown), so the slot
	// is retried rather than left to wait for the lease to run out.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return errors.Join(runErr, r.finish(ctx, c, runErr))
}

// slotClaim identifies one attempt at one slot: the attempt number tells a
// takeover from the claim it replaced.
type slotClaim struct {
	name     string
	slot     time.Time
	instance string
	attempt  int
}

// claim takes c's slot for this instance, first by inserting its row, else
// by taking over a row whose lease has run out (a dead instance, or a failed
// run due for retry). It reports whether this instance won.
func (r *Runner) claim(ctx context.Context, c *slotClaim, now time.Time) (bool, error) {
	lease := now.Add(r.lease())
	res, err := r.DB.W.ExecContext(ctx, `INSERT INTO job_runs (name, slot, instance, started_at, lease_until, attempts)
		VALUES ($1,$2,$3,$4,$5,1) ON CONFLICT DO NOTHING`, c.name, c.slot, c.instance, now, lease)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		c.attempt = 1
		return err == nil, err
	}
	err = r.DB.W.QueryRowContext(ctx, `UPDATE job_runs SET instance = $1, started_at = $2, lease_until = $3, attempts = attempts + 1
		WHERE name = $4 AND slot = $5 AND finished_at IS NULL AND lease_until < $2 AND attempts < $6
		RETURNING attempts`, c.instance, now, lease, c.name, c.slot, maxAttempts).Scan(&c.attempt)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// run calls the job, renewing the lease while it runs and cancelling the
// job if the claim is lost. A panic counts as a failure.
func (r *Runner) run(ctx context.Context, j Job, c slotClaim) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { r.keepLease(ctx, cancel, c) })
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return j.Run(ctx, c.slot)
}

func (r *Runner) keepLease(ctx context.Context, lost context.CancelFunc, c slotClaim) {
	t := time.NewTicker(r.lease() / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res, err := r.DB.W.ExecContext(ctx, `UPDATE job_runs SET lease_until = $1
			WHERE name = $2 AND slot = $3 AND instance = $4 AND attempts = $5 AND finished_at IS NULL`,
			r.now().Add(r.lease()), c.name, c.slot, c.instance, c.attempt)
		if err != nil {
			if ctx.Err() == nil {
				r.log().Warn("renew job lease", "job", c.name, "err", err)
			}
			continue
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			r.log().Warn("job claim lost to another instance; stopping", "job", c.name, "slot", c.slot)
			lost()
			return
		}
	}
}

// finish records the outcome of c's run: done, due for a retry, or given up.
func (r *Runner) finish(ctx context.Context, c slotClaim, runErr error) error {
	now := r.now()
	owner := `WHERE name = $3 AND slot = $4 AND instance = $5 AND attempts = $6`
	var err error
	switch {
	case runErr == nil:
		_, err = r.DB.W.ExecContext(ctx, `UPDATE job_runs SET finished_at = $1, error = $2 `+owner, now, "", c.name, c.slot, c.instance, c.attempt)
	case c.attempt >= maxAttempts:
		r.log().Error("job failed too often; giving up on this slot", "job", c.name, "slot", c.slot, "attempts", c.attempt)
		_, err = r.DB.W.ExecContext(ctx, `UPDATE job_runs SET finished_at = $1, error = $2 `+owner, now, truncate(runErr.Error()), c.name, c.slot, c.instance, c.attempt)
	default:
		retry := now.Add(firstRetry << (c.attempt - 1))
		_, err = r.DB.W.ExecContext(ctx, `UPDATE job_runs SET lease_until = $1, error = $2 `+owner, retry, truncate(runErr.Error()), c.name, c.slot, c.instance, c.attempt)
	}
	if err != nil {
		return fmt.Errorf("record job outcome: %w", err)
	}
	return nil
}

// truncate shortens an error message for storage, on a rune boundary
// (PostgreSQL refuses text that is not UTF-8).
func truncate(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	cut := maxErrorLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func (r *Runner) now() time.Time {
	if r.Clock == nil {
		return clock.System.Now()
	}
	return r.Clock.Now().UTC().Truncate(time.Microsecond)
}

func (r *Runner) lease() time.Duration {
	if r.Lease <= 0 {
		return defaultLease
	}
	return r.Lease
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}

func (r *Runner) instance() string {
	if r.Instance != "" {
		return r.Instance
	}
	host, _ := os.Hostname()
	return host + ":" + strconv.Itoa(os.Getpid())
}
