package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/jobs"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// twoInstances runs fn on each engine with two handles on one fresh store,
// as two Concord processes would have.
func twoInstances(t *testing.T, fn func(t *testing.T, a, b *db.DB)) {
	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			url := dbtest.URL(t, e)
			open := func() *db.DB {
				d, err := db.Open(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { d.Close() })
				return d
			}
			a, b := open(), open()
			if err := a.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			fn(t, a, b)
		})
	}
}

// calls records the slots a job was run for.
type calls struct {
	mu    sync.Mutex
	slots []time.Time
}

func (c *calls) add(slot time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slots = append(c.slots, slot)
	return len(c.slots)
}

func (c *calls) all() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.slots)
}

// runner is an instance's runner; its log shows only when a test fails.
func runner(t *testing.T, d *db.DB, clk clock.Clock, instance string, lease time.Duration) *jobs.Runner {
	return &jobs.Runner{DB: d, Clock: clk, Instance: instance, Lease: lease, Log: slog.New(slog.NewTextHandler(t.Output(), nil))}
}

type row struct {
	instance string
	attempts int
	finished bool
	err      string
}

func jobRow(t *testing.T, d *db.DB, name string, slot time.Time) row {
	t.Helper()
	var r row
	var finished *time.Time
	err := d.R.QueryRow(`SELECT instance, attempts, finished_at, error FROM job_runs WHERE name = $1 AND slot = $2`, name, slot).
		Scan(&r.instance, &r.attempts, &finished, &r.err)
	if err != nil {
		t.Fatal(err)
	}
	r.finished = finished != nil
	return r
}

func TestSchedule(t *testing.T) {
	day := t0.Truncate(24 * time.Hour)
	fail := errors.New("smtp down")
	cases := []struct {
		name    string
		every   time.Duration
		outcome func(call int) error
		steps   []time.Duration // clock moves before each pass
		want    []time.Time     // the slot of each run, in order
		last    row             // the last slot's job_runs row
	}{
		{
			name: "a slot runs once", every: 24 * time.Hour,
			steps: []time.Duration{0, 0, time.Hour, 10 * time.Hour},
			want:  []time.Time{day},
			last:  row{instance: "a", attempts: 1, finished: true},
		},
		{
			name: "each new slot runs", every: time.Minute,
			steps: []time.Duration{0, 30 * time.Second, 30 * time.Second, time.Minute},
			want:  []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute)},
			last:  row{instance: "a", attempts: 1, finished: true},
		},
		{
			name: "three days down run once, for the current slot", every: 24 * time.Hour,
			steps: []time.Duration{0, 72 * time.Hour, time.Hour},
			want:  []time.Time{day, day.Add(72 * time.Hour)},
			last:  row{instance: "a", attempts: 1, finished: true},
		},
		{
			name: "a failure is retried after a growing pause", every: 24 * time.Hour,
			outcome: func(call int) error {
				if call <= 2 {
					return fail
				}
				return nil
			},
			// fails; is not retried within 1m; fails; not within 2m; succeeds.
			steps: []time.Duration{0, 59 * time.Second, 2 * time.Second, time.Minute, time.Minute + time.Second, time.Hour},
			want:  []time.Time{day, day, day},
			last:  row{instance: "a", attempts: 3, finished: true},
		},
		{
			name: "gives up on a slot after five failures", every: 24 * time.Hour,
			outcome: func(int) error { return fail },
			steps:   []time.Duration{0, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour},
			want:    []time.Time{day, day, day, day, day},
			last:    row{instance: "a", attempts: 5, finished: true, err: "smtp down"},
		},
		{
			name: "a panic is a failure", every: 24 * time.Hour,
			outcome: func(call int) error {
				if call == 1 {
					panic("boom")
				}
				return nil
			},
			steps: []time.Duration{0, time.Hour, time.Hour},
			want:  []time.Time{day, day},
			last:  row{instance: "a", attempts: 2, finished: true},
		},
	}
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				clk := clock.NewFake(t0)
				var got calls
				r := runner(t, d, clk, "a", 5*time.Minute)
				r.Add(jobs.Job{Name: c.name, Every: c.every, Run: func(_ context.Context, slot time.Time) error {
					n := got.add(slot)
					if c.outcome != nil {
						return c.outcome(n)
					}
					return nil
				}})
				for _, step := range c.steps {
					clk.Advance(step)
					r.RunDue(context.Background())
				}
				if !slices.Equal(got.all(), c.want) {
					t.Errorf("runs %v, want %v", got.all(), c.want)
				}
				if got := jobRow(t, d, c.name, c.want[len(c.want)-1]); got != c.last {
					t.Errorf("job_runs row %+v, want %+v", got, c.last)
				}
			})
		}
	})
}

func TestConcurrentInstancesRunEachSlotOnce(t *testing.T) {
	twoInstances(t, func(t *testing.T, a, b *db.DB) {
		clk := clock.NewFake(t0)
		var minutely, fiveMinutely calls
		runners := []*jobs.Runner{runner(t, a, clk, "a", 5*time.Minute), runner(t, b, clk, "b", 5*time.Minute)}
		for _, r := range runners {
			r.Add(jobs.Job{Name: "minutely", Every: time.Minute, Run: func(_ context.Context, slot time.Time) error {
				minutely.add(slot)
				return nil
			}})
			r.Add(jobs.Job{Name: "five", Every: 5 * time.Minute, Run: func(_ context.Context, slot time.Time) error {
				fiveMinutely.add(slot)
				return nil
			}})
		}
		const steps = 20
		for range steps {
			var wg sync.WaitGroup
			for _, r := range runners {
				for range 4 {
					wg.Go(func() {
						if err := r.RunDue(context.Background()); err != nil {
							t.Error(err)
						}
					})
				}
			}
			wg.Wait()
			clk.Advance(time.Minute)
		}
		var wantMinutely, wantFive []time.Time
		for i := range steps {
			wantMinutely = append(wantMinutely, t0.Add(time.Duration(i)*time.Minute))
			if slot := t0.Add(time.Duration(i) * time.Minute).Truncate(5 * time.Minute); !slices.Contains(wantFive, slot) {
				wantFive = append(wantFive, slot)
			}
		}
		if got := minutely.all(); !slices.Equal(got, wantMinutely) {
			t.Errorf("minutely ran for %v, want each of %v once", got, wantMinutely)
		}
		if got := fiveMinutely.all(); !slices.Equal(got, wantFive) {
			t.Errorf("five-minutely ran for %v, want each of %v once", got, wantFive)
		}
	})
}

func TestTakeOverAfterLease(t *testing.T) {
	twoInstances(t, func(t *testing.T, a, b *db.DB) {
		clk := clock.NewFake(t0)
		slot := t0.Truncate(24 * time.Hour)
		// Instance "dead" claimed today's slot and died without finishing.
		if _, err := a.W.Exec(`INSERT INTO job_runs (name, slot, instance, started_at, lease_until, attempts) VALUES ($1,$2,$3,$4,$5,1)`,
			"daily", slot, "dead", t0, t0.Add(5*time.Minute)); err != nil {
			t.Fatal(err)
		}
		var got calls
		r := runner(t, b, clk, "b", 5*time.Minute)
		r.Add(jobs.Job{Name: "daily", Every: 24 * time.Hour, Run: func(_ context.Context, slot time.Time) error {
			got.add(slot)
			return nil
		}})
		for _, c := range []struct {
			advance time.Duration
			runs    int
		}{{0, 0}, {4 * time.Minute, 0}, {2 * time.Minute, 1}, {time.Minute, 1}} {
			clk.Advance(c.advance)
			if err := r.RunDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := len(got.all()); n != c.runs {
				t.Fatalf("at %s: %d runs, want %d", clk.Now().Sub(t0), n, c.runs)
			}
		}
		if got := jobRow(t, a, "daily", slot); got != (row{instance: "b", attempts: 2, finished: true}) {
			t.Errorf("after takeover: %+v", got)
		}
	})
}

func TestLostClaimCancelsTheRun(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		clk := clock.NewFake(t0)
		slot := t0.Truncate(time.Hour)
		started := make(chan struct{})
		r := runner(t, d, clk, "a", 30*time.Millisecond)
		r.Add(jobs.Job{Name: "slow", Every: time.Hour, Run: func(ctx context.Context, _ time.Time) error {
			close(started)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Second):
				return errors.New("not cancelled")
			}
		}})
		done := make(chan error)
		go func() { done <- r.RunDue(context.Background()) }()
		<-started
		// Another instance takes the slot (as after a long network partition).
		if _, err := d.W.Exec(`UPDATE job_runs SET instance = 'thief', attempts = 2 WHERE name = 'slow'`); err != nil {
			t.Fatal(err)
		}
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("RunDue = %v, want the run cancelled", err)
		}
		if got := jobRow(t, d, "slow", slot); got != (row{instance: "thief", attempts: 2}) {
			t.Errorf("the loser overwrote the winner's row: %+v", got)
		}
	})
}
