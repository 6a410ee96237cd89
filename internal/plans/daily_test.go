package plans_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/jobs"
	"concord/internal/plans"
)

// TestRemindersAndChases runs the daily sweep through two job runners on one
// store, as two Concord instances would, with a hand-moved clock: each
// reminder and each chase level goes out once, at the right time, and after
// a long downtime the sweep catches up once with the level then reached.
func TestRemindersAndChases(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		task := w.task("T-1")
		runners := func() []*jobs.Runner {
			var rs []*jobs.Runner
			for _, name := range []string{"one", "two"} {
				r := &jobs.Runner{DB: d, Clock: w.Clock, Instance: name}
				r.Add((&plans.Service{DB: d, Clock: w.Clock}).Job())
				rs = append(rs, r)
			}
			return rs
		}
		instances := runners()
		sweep := func(at time.Time) {
			t.Helper()
			w.Clock.Set(at)
			var wg sync.WaitGroup
			for range 3 { // each instance ticks a few times, side by side
				for _, r := range instances {
					wg.Go(func() {
						if err := r.RunDue(context.Background()); err != nil {
							t.Error(err)
						}
					})
				}
			}
			wg.Wait()
		}
		count := func(query string, args ...any) int {
			t.Helper()
			var n int
			if err := d.R.QueryRow(query, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		notices := func(kind string) int { return count(`SELECT count(*) FROM notifications WHERE kind = $1`, kind) }
		day := func(m time.Month, dd int) time.Time { return time.Date(2026, m, dd, 0, 30, 0, 0, time.UTC) }

		// 1 April: March's reports (due 5 April) are outside the 3-day window.
		sweep(day(4, 1))
		if n := notices("report.reminder"); n != 0 {
			t.Fatalf("reminders on 1 April: %d", n)
		}
		// 2 April: one reminder to each unit's reporter, however often the runners tick.
		sweep(day(4, 2))
		sweep(day(4, 2).Add(5 * time.Hour))
		if n := notices("report.reminder"); n != 2 {
			t.Fatalf("reminders on 2 April: %d, want 2", n)
		}
		// A submits; B does not.
		w.Clock.Set(day(4, 3).Add(8 * time.Hour))
		ra := w.report(task.ID, w.A.ID)
		if _, err := w.Plans.SubmitReport(w.Reporter[w.A.ID], ra.ID, filled(25), ra.Version); err != nil {
			t.Fatal(err)
		}
		// 6 April: B's report is a day late → chased with its reporter, once.
		sweep(day(4, 6))
		chases := func(level int) int {
			return count(`SELECT count(*) FROM chases WHERE unit_id = $1 AND level = $2 AND report_id IS NOT NULL`, w.B.ID, level)
		}
		if chases(1) != 1 || count(`SELECT count(*) FROM chases`) != 1 {
			t.Fatalf("chases on 6 April: %d", count(`SELECT count(*) FROM chases`))
		}
		// The instances go down for two weeks and restart: the sweep runs once
		// and escalates straight to the office, skipping nothing it owes.
		instances = runners()
		sweep(day(4, 20))
		if chases(2) != 0 || chases(3) != 1 {
			t.Fatalf("after downtime: level 2 %d, level 3 %d", chases(2), chases(3))
		}
		office := count(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.kind = 'task.chase' AND u.login = 'coord'`)
		if office != 1 {
			t.Fatalf("office chased %d times", office)
		}
		// One run per day swept (1, 2, 6 and 20 April), none for the days down.
		if runs := count(`SELECT count(*) FROM job_runs WHERE name = 'plans.daily'`); runs != 4 {
			t.Fatalf("job runs: %d, want 4", runs)
		}
		// The same day again changes nothing.
		before := count(`SELECT count(*) FROM notifications`)
		sweep(day(4, 20).Add(3 * time.Hour))
		if after := count(`SELECT count(*) FROM notifications`); after != before {
			t.Fatalf("a second sweep on one day sent %d more", after-before)
		}
		// Every notification went into the outbox as e-mail too (the users have addresses).
		if n := count(`SELECT count(*) FROM outbox WHERE channel = 'email'`); n != before {
			t.Fatalf("outbox e-mails %d, notifications %d", n, before)
		}
	})
}
