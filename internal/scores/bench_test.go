package scores_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/scores"
	"concord/internal/testworld"
)

// benchUnits and benchTasks size the benchmark's year: 300 units leading
// 40 tasks each, every task with a monthly report (144,000 reports), 20
// rectification items and 10 problems per unit.
const (
	benchUnits = 300
	benchTasks = 40
)

// BenchmarkScorecardYear computes a year's scorecard of 300 units from live
// records, and the records behind one score:
//
//	go test ./internal/scores -run '^$' -bench ScorecardYear -benchtime 5x
//
// On PostgreSQL: CONCORD_BENCH_ENGINE=postgres with CONCORD_TEST_PG set.
func BenchmarkScorecardYear(b *testing.B) {
	engine := db.SQLite
	if os.Getenv("CONCORD_BENCH_ENGINE") == "postgres" {
		engine = db.Postgres
	}
	d := dbtest.Open(b, engine)
	w := testworld.New(b, d)
	s := &scores.Service{DB: d, Clock: w.Clock}
	w.Clock.Set(time.Date(2027, 1, 15, 9, 0, 0, 0, time.UTC))
	seedYear(b, w)
	m, err := s.CreateModel(w.Coord, model)
	if err != nil {
		b.Fatal(err)
	}
	c, err := s.CreateScorecard(w.Coord, scores.ScorecardInput{ModelID: m.ID, Title: "2026年度", PeriodKind: scores.Year, StartsOn: clock.DateOf(2026, 1, 1)})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("results", func(b *testing.B) {
		for b.Loop() {
			_, cards, err := s.Results(w.Viewer, c.ID)
			if err != nil || len(cards) != benchUnits {
				b.Fatalf("%d units, %v", len(cards), err)
			}
		}
	})
	b.Run("breakdown", func(b *testing.B) {
		for b.Loop() {
			bd, err := s.Breakdown(w.Viewer, c.ID, w.A.ID, 2)
			if err != nil || len(bd.Records) < benchTasks*11 {
				b.Fatalf("%d records, %v", len(bd.Records), err)
			}
		}
	})
}

// seedYear adds the units and their year of records, in bulk.
func seedYear(b *testing.B, w *testworld.World) {
	ctx := context.Background()
	now := w.Clock.Now()
	err := w.DB.Tx(ctx, func(tx *sql.Tx) error {
		var units [][]any
		for i := range benchUnits - 3 {
			code := fmt.Sprintf("bench-%03d", i)
			units = append(units, []any{code, code, code, code, now})
		}
		if err := db.InsertRows(ctx, tx, `INSERT INTO units (code, name_zh_hans, name_zh_hant, name_en, kind, created_at, updated_at) VALUES `,
			`($%d,$%d,$%d,$%d,'city',$%d,$%[5]d)`, units); err != nil {
			return err
		}
		ids, err := db.All(ctx, tx, func(row db.Scanner) (int64, error) {
			var id int64
			return id, row.Scan(&id)
		}, `SELECT id FROM units ORDER BY id`)
		if err != nil {
			return err
		}
		var tasks, rects, probs [][]any
		for ui, u := range ids {
			for t := range benchTasks {
				due := clock.DateOf(2026, time.Month(1+t%12), 28)
				var done any
				if t%3 != 0 {
					done = due.AddDays(t%5 - 2)
				}
				tasks = append(tasks, []any{w.Plan.ID, w.Task.GoalID, fmt.Sprintf("B-%d-%d", u, t), "任务", w.Area, u, clock.DateOf(2026, 1, 1), due, done, now})
			}
			for x := range 20 {
				due := clock.DateOf(2026, time.Month(1+x%12), 15)
				var closed any
				if x%4 != 0 {
					closed = due.AddDays(x%3 - 1)
				}
				rects = append(rects, []any{u, due, closed, now})
			}
			for p := range 10 {
				due := clock.DateOf(2026, time.Month(1+p), 20)
				var solved any
				if (ui+p)%3 != 0 {
					solved = due.AddDays(p%4 - 2).Time().Add(10 * time.Hour)
				}
				probs = append(probs, []any{ids[(ui+1)%len(ids)], u, due, solved, now})
			}
		}
		if err := db.InsertRows(ctx, tx, `INSERT INTO tasks (plan_id, goal_id, code, title, area_id, lead_unit_id, starts_on, due_on, cycle, status, completed_on, created_at, updated_at) VALUES `,
			`($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,'monthly','active',$%d,$%d,$%[10]d)`, tasks); err != nil {
			return err
		}
		if err := db.InsertRows(ctx, tx, `INSERT INTO rectifications (source_kind, source_ref, unit_id, requirement, due_on, status, closed_on, created_by, created_at, updated_at) VALUES `,
			`('bench','1',$%d,'整改',$%d,'open',$%d,'bench',$%d,$%[4]d)`, rects); err != nil {
			return err
		}
		if err := db.InsertRows(ctx, tx, `INSERT INTO problems (raised_by_unit_id, raised_by, category, title, ask, status, handling_unit_id, due_on, solved_at, created_at, updated_at) VALUES `,
			`($%d,'bench','policy','问题','协调','assigned',$%d,$%d,$%d,$%d,$%[5]d)`, probs); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO assignments (task_id, unit_id, role, due_on, created_at, updated_at)
			SELECT id, lead_unit_id, 'lead', due_on, created_at, created_at FROM tasks WHERE code LIKE 'B-%'`); err != nil {
			return err
		}
		var reports [][]any
		rows, err := tx.QueryContext(ctx, `SELECT a.id, a.task_id, a.unit_id FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE t.code LIKE 'B-%'`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a, t, u int64
			if err := rows.Scan(&a, &t, &u); err != nil {
				rows.Close()
				return err
			}
			for mo := range 12 {
				due := clock.DateOf(2026, time.Month(1+mo), 5).AddDays(30)
				state, k := "pending", a+int64(mo)
				var first, onTime any
				if k%5 != 0 {
					state, first, onTime = "accepted", due.Time().Add(-time.Duration(k%3-1)*24*time.Hour), k%3 != 0
				}
				reports = append(reports, []any{a, t, u, due.AddDays(-35), due.AddDays(-5), due, state, first, onTime, k % 4 / 3, now})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return db.InsertRows(ctx, tx, `INSERT INTO reports (assignment_id, task_id, unit_id, period_start, period_end, due_on, state, first_submitted_at, on_time, returns, created_at, updated_at) VALUES `,
			`($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%[11]d)`, reports)
	})
	if err != nil {
		b.Fatal(err)
	}
}
