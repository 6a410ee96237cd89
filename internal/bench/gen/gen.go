// Package gen fills a store with the plans of a synthetic alliance at
// national scale: plans and goals over the six areas, tens of thousands of
// tasks with lead and co-operating units, and millions of progress reports
// in every state, as if the supervision cycle had run for years.
//
// Plans and goals are made through the plans service, and the plans are put
// in force (with their baseline revisions) and closed through it. Tasks,
// assignments, reports and what hangs off them are written directly, in
// multi-row INSERTs inside a few large transactions: through the service, two
// million reports would take hours. Direct writing keeps the service's
// invariants:
//   - every active assignment has a report row for each period (by the
//     task's cycle) that has begun, as openPeriods opens them; a task that
//     was filed, closed or cancelled has the rows of the periods begun until
//     then; due dates are the period's end plus the grace days;
//   - on_time and first_submitted_at agree (the first submission's day
//     against the due date); accepted, submitted, returned, draft and
//     pending rows carry the timestamps and names the review steps write;
//   - assignment and task progress are rolled up from the reports as
//     refresh does, and each task's light is the service's verdict
//     (plans.Service.Verdict) as of the day generated for;
//   - task_counts and closed_months are kept by the database's own triggers
//     on tasks; report_counts, which its trigger fills only when a report's
//     on_time or returns change, is written from the same counts;
//   - search_docs has every task and every submitted report, as indexText
//     writes them, so text search finds them;
//   - missing reports and overdue assignments of live tasks carry the
//     automatic chases the daily sweep would have sent (rows and
//     chase_level), so a first sweep on the store does not chase years of
//     backlog at once.
//
// Not written: per-report timeline events (a task's timeline has its
// creation, completion, closure, cancellation and chases), notifications,
// milestones, attachments and audit entries for the directly written rows
// (one "bench.generate" entry records the run).
package gen

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/plans"
)

// Options size the generated plans.
type Options struct {
	Tasks   int
	Reports int        // aimed at: the count reached is within a few percent
	Seed    uint64     // the same seed and sizes give the same store
	Today   clock.Date // the day the store is as of (zero: today)
	Chunk   int        // tasks per transaction (default 10,000)
	// Progress receives a line per chunk (nil: quiet).
	Progress io.Writer
}

// Counts is what a run wrote.
type Counts struct {
	Plans       int     `json:"plans"`
	Goals       int     `json:"goals"`
	Tasks       int     `json:"tasks"`
	Assignments int     `json:"assignments"`
	Reports     int     `json:"reports"`
	SearchDocs  int     `json:"search_docs"`
	Chases      int     `json:"chases"`
	Seconds     float64 `json:"seconds"`
}

// Generate adds the plans to a migrated store that holds an alliance with
// its areas, units and at least one coordinator, and no plans yet.
func Generate(ctx context.Context, d *db.DB, opt Options) (Counts, error) {
	start := time.Now()
	if opt.Tasks < 1 || opt.Reports < 0 {
		return Counts{}, errors.New("need at least one task and no negative report count")
	}
	if opt.Chunk <= 0 {
		opt.Chunk = 10000
	}
	if opt.Today.IsZero() {
		opt.Today = clock.Today(clock.System)
	}
	if opt.Progress == nil {
		opt.Progress = io.Discard
	}
	g, err := newGenerator(ctx, d, opt)
	if err != nil {
		return Counts{}, err
	}
	if d.Engine == db.SQLite {
		// A cache that holds the indexes being filled (the default is 2 MB):
		// bulk inserts into them then spill far fewer pages.
		if _, err := d.W.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
			return Counts{}, err
		}
	}
	if err := g.makePlans(ctx); err != nil {
		return g.made, err
	}
	g.clock.Set(opt.Today.Time().Add(8 * time.Hour)) // lights are judged as of today
	restore, err := setAside(ctx, d, opt.Progress)
	if err != nil {
		return g.made, err
	}
	for from := 0; from < opt.Tasks; from += opt.Chunk {
		to := min(from+opt.Chunk, opt.Tasks)
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return g.chunk(ctx, tx, from, to) }); err != nil {
			return g.made, errors.Join(fmt.Errorf("tasks %d–%d: %w", from+1, to, err), restore(ctx))
		}
		fmt.Fprintf(opt.Progress, "  tasks %d/%d, reports %d, %.1f s\n", to, opt.Tasks, g.made.Reports, time.Since(start).Seconds())
	}
	fmt.Fprintln(opt.Progress, "  indexes, foreign keys, full-text index …")
	if err := restore(ctx); err != nil {
		return g.made, err
	}
	fmt.Fprintf(opt.Progress, "  plans in force, statistics … %.1f s\n", time.Since(start).Seconds())
	if err := g.finish(ctx); err != nil {
		return g.made, err
	}
	g.made.Seconds = math.Round(time.Since(start).Seconds()*10) / 10
	return g.made, nil
}

type unit struct {
	id   int64
	code string
}

type planInfo struct {
	id           int64
	code         string
	kind         plans.PlanKind
	parent       string
	starts, ends clock.Date
	status       plans.PlanStatus // what it ends as
	weight       float64          // share of the tasks
	goals        []goalInfo
	tasks        int   // tasks generated so far, for codes
	mergeInto    int64 // a live task of the plan others may be merged into
}

type goalInfo struct {
	id   int64
	area string
	aid  int64
}

type generator struct {
	d        *db.DB
	opt      Options
	rng      *rand.Rand
	today    clock.Date
	svc      *plans.Service
	clock    *clock.Fake
	set      plans.Settings
	coord    context.Context
	office   string // the coordinator's login
	units    []unit
	reporter map[int64]string // a reporter's login per unit
	areas    map[string]int64
	plans    []*planInfo
	next     struct{ task, assignment, report, chase int64 }
	counts   map[countKey]*reportCount
	made     Counts
}

type countKey struct {
	plan, unit int64
	month      string
}

type reportCount struct{ onTime, late, returned int }

func newGenerator(ctx context.Context, d *db.DB, opt Options) (*generator, error) {
	g := &generator{d: d, opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, 0x636f6e636f7264)), today: opt.Today,
		reporter: map[int64]string{}, areas: map[string]int64{}, counts: map[countKey]*reportCount{}}
	g.clock = clock.NewFake(opt.Today.Time().Add(8 * time.Hour))
	g.svc = &plans.Service{DB: d, Clock: g.clock}
	var n int
	if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM plans`).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, errors.New("the store already has plans: generate into one with an alliance and units but no plans")
	}
	var coord access.Actor
	err := d.R.QueryRowContext(ctx, `SELECT u.id, u.login, u.unit_id FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.role = 'coordinator' AND NOT u.disabled ORDER BY u.id LIMIT 1`).Scan(&coord.UserID, &coord.Login, &coord.UnitID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errors.New("the store has no coordinator to make the plans as")
	}
	if err != nil {
		return nil, err
	}
	coord.Roles = []access.Role{access.Coordinator}
	g.coord, g.office = access.WithActor(ctx, &coord), coord.Login
	if g.units, err = db.All(ctx, d.R, func(row db.Scanner) (unit, error) {
		var u unit
		return u, row.Scan(&u.id, &u.code)
	}, `SELECT id, code FROM units WHERE active ORDER BY id`); err != nil {
		return nil, err
	}
	if len(g.units) < 2 {
		return nil, errors.New("the store needs at least two active units")
	}
	type writer struct {
		unit  int64
		login string
	}
	writers, err := db.All(ctx, d.R, func(row db.Scanner) (writer, error) {
		var w writer
		return w, row.Scan(&w.unit, &w.login)
	}, `SELECT u.unit_id, u.login FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role IN ('reporter','unit_leader') ORDER BY u.id`)
	if err != nil {
		return nil, err
	}
	for _, w := range writers {
		if g.reporter[w.unit] == "" {
			g.reporter[w.unit] = w.login
		}
	}
	areas, err := db.All(ctx, d.R, func(row db.Scanner) (unit, error) {
		var a unit
		return a, row.Scan(&a.id, &a.code)
	}, `SELECT id, code FROM areas WHERE active`)
	if err != nil {
		return nil, err
	}
	for _, a := range areas {
		g.areas[a.code] = a.id
	}
	for code := range topics {
		if g.areas[code] == 0 {
			return nil, fmt.Errorf("the store lacks the %s coordination area", code)
		}
	}
	if g.set, err = g.svc.Settings(ctx); err != nil {
		return nil, err
	}
	for _, q := range []struct {
		table string
		next  *int64
	}{{"tasks", &g.next.task}, {"assignments", &g.next.assignment}, {"reports", &g.next.report}, {"chases", &g.next.chase}} {
		if err := d.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+q.table).Scan(q.next); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// layout is the alliance's plans around today's year Y: three action plans
// (Y-8…Y-6 closed, Y-5…Y-1 still in force with its leftovers, Y…Y+4 in
// force) and the work points of every year under them, the past ones
// closed but the last two, and next year's a draft.
func (g *generator) layout() []*planInfo {
	y := g.today.Time().Year()
	span := func(from, to int) (clock.Date, clock.Date) {
		return clock.DateOf(from, time.January, 1), clock.DateOf(to, time.December, 31)
	}
	var ps []*planInfo
	for _, a := range []struct {
		from, to int
		status   plans.PlanStatus
	}{{y - 8, y - 6, plans.Done}, {y - 5, y - 1, plans.InForce}, {y, y + 4, plans.InForce}} {
		p := &planInfo{code: fmt.Sprintf("GEN-%d-%d", a.from, a.to), kind: plans.ActionPlan, status: a.status, weight: 3}
		p.starts, p.ends = span(a.from, a.to)
		ps = append(ps, p)
		for yr := a.from; yr <= a.to && yr <= y+1; yr++ {
			w := &planInfo{code: fmt.Sprintf("GEN-%d-WP", yr), kind: plans.AnnualPlan, parent: p.code, weight: 1}
			w.starts, w.ends = span(yr, yr)
			switch {
			case yr > y:
				w.status = plans.Draft
			case yr >= y-2:
				w.status = plans.InForce
			default:
				w.status = plans.Done
			}
			ps = append(ps, w)
		}
	}
	return ps
}

// makePlans creates the plans (as drafts) and two goals per area in each,
// through the service, on the day each was adopted.
func (g *generator) makePlans(ctx context.Context) error {
	g.plans = g.layout()
	ids := map[string]int64{}
	for _, p := range g.plans {
		g.clock.Set(p.adopted())
		in := plans.PlanInput{Code: p.code, Kind: p.kind, StartsOn: p.starts, EndsOn: p.ends,
			Name: fmt.Sprintf("生成数据 %s（%s—%s）", p.code, p.starts, p.ends), Description: "concord generate 生成的基准测试数据，非真实数据。"}
		if p.parent != "" {
			parent := ids[p.parent]
			in.ParentID = &parent
		}
		made, err := g.svc.CreatePlan(g.coord, in)
		if err != nil {
			return fmt.Errorf("plan %s: %w", p.code, err)
		}
		p.id, ids[p.code] = made.ID, made.ID
		g.made.Plans++
		for i, area := range areaOrder {
			for j := range 2 {
				goal, err := g.svc.SaveGoal(g.coord, p.id, 0, plans.GoalInput{Code: fmt.Sprintf("%s-%d", areaCodes[area], j+1),
					Title: fmt.Sprintf("%s目标%d", topics[area][j], j+1), AreaID: g.areas[area], Position: 2*i + j + 1}, 0)
				if err != nil {
					return fmt.Errorf("plan %s goal: %w", p.code, err)
				}
				p.goals = append(p.goals, goalInfo{goal.ID, area, g.areas[area]})
				g.made.Goals++
			}
		}
	}
	return nil
}

var areaOrder = []string{"planning", "industry", "innovation", "reform", "policy", "environment"}

var areaCodes = map[string]string{"planning": "PLN", "industry": "IND", "innovation": "INO", "reform": "REF", "policy": "POL", "environment": "ENV"}

// adopted is when the office entered the plan: two weeks before it starts.
func (p *planInfo) adopted() time.Time { return p.starts.AddDays(-14).Time().Add(9 * time.Hour) }

// finish writes the report counts, puts the plans in force and closes the
// closed ones through the service, and records the run.
func (g *generator) finish(ctx context.Context) error {
	err := g.d.Tx(ctx, func(tx *sql.Tx) error {
		ins := newInserter(ctx, tx, g.d.Engine, "report_counts", "plan_id", "unit_id", "month", "on_time", "late", "returned")
		for k, c := range g.counts {
			if err := ins.add(k.plan, k.unit, k.month, c.onTime, c.late, c.returned); err != nil {
				return err
			}
		}
		if err := ins.flush(); err != nil {
			return err
		}
		if g.d.Engine == db.Postgres {
			// Rows written with their ids leave the identity sequences behind.
			for _, t := range []string{"tasks", "assignments", "reports", "chases"} {
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM `+t+`), false)`); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	note := plans.RevisionNote{Reason: "联席会议审议通过", ApprovedBy: "联席会议"}
	for _, p := range g.plans {
		if p.status == plans.Draft {
			continue
		}
		g.clock.Set(p.adopted().Add(5 * time.Hour))
		made, err := g.svc.SetPlanStatus(g.coord, p.id, plans.InForce, note, 1)
		if err != nil {
			return fmt.Errorf("plan %s in force: %w", p.code, err)
		}
		if p.status == plans.Done {
			g.clock.Set(p.ends.AddDays(60).Time().Add(10 * time.Hour))
			if _, err := g.svc.SetPlanStatus(g.coord, p.id, plans.Done, note, made.Version); err != nil {
				return fmt.Errorf("close plan %s: %w", p.code, err)
			}
		}
	}
	if g.d.Engine == db.Postgres {
		// What autovacuum would do shortly after a bulk load.
		if _, err := g.d.W.ExecContext(ctx, `ANALYZE`); err != nil {
			return err
		}
	}
	sys := access.WithActor(ctx, &access.Actor{Login: "system"})
	return g.d.Tx(sys, func(tx *sql.Tx) error {
		return audit.Record(sys, tx, audit.Change{Action: "bench.generate", ObjectType: "alliance", ObjectID: 1,
			Detail: fmt.Sprintf("generated benchmark data as of %s: %d plans, %d tasks, %d assignments, %d reports (seed %d)",
				g.today, g.made.Plans, g.made.Tasks, g.made.Assignments, g.made.Reports, g.opt.Seed)})
	})
}
