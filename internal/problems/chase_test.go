package problems_test

import (
	"testing"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/problems"
)

// TestChaseOverdue runs the daily chase of problems through two job
// runners: each level goes out once, escalating from the handling unit to
// its leader and the office; after downtime only the level reached is sent;
// an answered problem is not chased; a new deadline starts the chase again.
func TestChaseOverdue(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		assign := func() problems.Problem {
			t.Helper()
			p := f.raise(t)
			p, err := f.S.TriageProblem(f.Coord, p.ID, problems.Triage{Accept: true, HandlingUnitID: f.B.ID, DueOn: clock.DateOf(2026, 3, 10)}, p.Version)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		late, answered, moved := assign(), assign(), assign()
		if _, err := f.S.Respond(f.Reporter[f.B.ID], answered.ID, "已协调", answered.Version); err != nil {
			t.Fatal(err)
		}
		sweeper := f.Sweeper(t, f.S.Job())
		sweep := func(m time.Month, day int) {
			t.Helper()
			sweeper(time.Date(2026, m, day, 0, 30, 0, 0, time.UTC))
		}
		notices := func(p problems.Problem, level int, login string) int {
			return f.Count(t, `SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.kind = $1 AND n.object_id = $2 AND u.login = $3`,
				"problem.chase."+itoa(int64(level)), itoa(p.ID), login)
		}
		sweep(3, 10) // due today: not late
		if n := f.Count(t, `SELECT count(*) FROM notifications WHERE kind LIKE 'problem.chase%'`); n != 0 {
			t.Fatalf("chased on the deadline: %d", n)
		}
		sweep(3, 11)
		sweep(3, 12)
		if notices(late, 1, "yingkou-reporter") != 1 || notices(late, 1, "yingkou-leader") != 0 || notices(moved, 1, "yingkou-reporter") != 1 {
			t.Fatal("level 1 not sent once to the handling unit's reporter")
		}
		// The office gives the third problem to Panjin with a new deadline.
		moved, err := f.S.Problem(f.Coord, moved.ID)
		if err != nil {
			t.Fatal(err)
		}
		if moved, err = f.S.Reassign(f.Coord, moved.ID, f.C.ID, clock.DateOf(2026, 3, 20), "改由盘锦承办", moved.Version); err != nil || moved.ChaseLevel != 0 {
			t.Fatalf("reassign: %+v, %v", moved, err)
		}
		sweep(3, 14) // 3 days late: the leader (ChaseLeaderDays = 3)
		if notices(late, 2, "yingkou-leader") != 1 || notices(late, 2, "coord") != 0 || notices(moved, 2, "yingkou-leader") != 0 {
			t.Fatal("level 2 not sent once to the leader")
		}
		sweep(3, 30) // after downtime: the office, once; the moved problem straight to its level now
		sweep(4, 2)
		if notices(late, 3, "coord") != 1 || notices(late, 3, "yingkou-leader") != 1 {
			t.Fatalf("office chased %d times", notices(late, 3, "coord"))
		}
		if notices(moved, 3, "panjin-reporter") != 1 || notices(moved, 3, "panjin-leader") != 1 || notices(moved, 3, "coord") != 1 ||
			notices(moved, 1, "panjin-reporter") != 0 || notices(moved, 2, "panjin-leader") != 0 {
			t.Fatal("the reassigned problem was not chased afresh at the level reached")
		}
		if n := f.Count(t, `SELECT count(*) FROM notifications WHERE kind LIKE 'problem.chase%' AND object_id = $1`, itoa(answered.ID)); n != 0 {
			t.Fatalf("an answered problem was chased %d times", n)
		}
		if n := f.Count(t, `SELECT count(*) FROM supervision_events WHERE object_type = 'problem' AND object_id = $1 AND kind LIKE 'problem.chase%'`, late.ID); n != 3 {
			t.Fatalf("chase steps on the record: %d, want 3", n)
		}
		if p, err := f.S.Problem(f.Coord, late.ID); err != nil || p.ChaseLevel != 3 {
			t.Fatalf("chase level: %+v, %v", p, err)
		}
	})
}
