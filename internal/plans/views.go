package plans

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
)

// TaskFilter narrows a task list. Zero fields do not filter.
type TaskFilter struct {
	PlanID     int64      `json:"plan_id"`
	GoalID     int64      `json:"goal_id"`
	AreaID     int64      `json:"area_id"`
	UnitID     int64      `json:"unit_id"`      // lead or co-operating
	LeadUnitID int64      `json:"lead_unit_id"` // lead only
	Light      Light      `json:"light"`
	Status     Status     `json:"status"`
	Query      string     `json:"q"` // text in title, description, reports
	DueFrom    clock.Date `json:"due_from"`
	DueTo      clock.Date `json:"due_to"`
	Sort       string     `json:"sort"` // code (default), due, progress, -progress
	Limit      int        `json:"limit"`
	Offset     int        `json:"offset"`
}

var taskSorts = map[string]string{
	"":          "t.plan_id, t.code",
	"code":      "t.plan_id, t.code",
	"due":       "t.due_on, t.id",
	"progress":  "t.progress, t.id",
	"-progress": "t.progress DESC, t.id",
}

// where builds the filter's SQL conditions and arguments.
func (f TaskFilter) where(engine db.Engine) (string, []any, error) {
	var c db.Where
	add := c.Add
	if f.PlanID != 0 {
		add("t.plan_id = ?", f.PlanID)
	}
	if f.GoalID != 0 {
		add("t.goal_id = ?", f.GoalID)
	}
	if f.AreaID != 0 {
		add("t.area_id = ?", f.AreaID)
	}
	if f.LeadUnitID != 0 {
		add("t.lead_unit_id = ?", f.LeadUnitID)
	}
	switch {
	case f.UnitID != 0 && f.Light != "":
		// One range of assignments_unit_light; testing t.light as well would
		// make the planner walk every task of that light instead.
		add("t.id IN (SELECT task_id FROM assignments WHERE unit_id = ? AND active AND light = ?)", f.UnitID, f.Light)
	case f.UnitID != 0:
		add("t.id IN (SELECT task_id FROM assignments WHERE unit_id = ? AND active)", f.UnitID)
	case f.Light != "":
		add("t.light = ?", f.Light)
	}
	if f.Status != "" {
		add("t.status = ?", f.Status)
	}
	if !f.DueFrom.IsZero() {
		add("t.due_on >= ?", f.DueFrom)
	}
	if !f.DueTo.IsZero() {
		add("t.due_on <= ?", f.DueTo)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		match, arg := textMatch(engine, q)
		add("t.id IN (SELECT d.task_id FROM search_docs d WHERE "+match+")", arg)
	}
	if _, ok := taskSorts[f.Sort]; !ok {
		var v errs.Validation
		v.Add("sort", "error.choice")
		return "", nil, v.Err()
	}
	return c.SQL(), c.Args, nil
}

// textMatch is the condition finding q in search_docs d: FTS5 trigram
// matching on SQLite for three characters or more (shorter text falls back
// to LIKE), and pg_trgm-indexed ILIKE on PostgreSQL.
func textMatch(engine db.Engine, q string) (string, any) {
	if engine == db.SQLite && len([]rune(q)) >= 3 {
		return "d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)", `"` + strings.ReplaceAll(q, `"`, `""`) + `"`
	}
	return `lower(d.body) LIKE ? ESCAPE '\'`, db.Contains(q)
}

// ListTasks returns a page of tasks matching f and how many match in all.
func (s *Service) ListTasks(ctx context.Context, f TaskFilter) ([]Task, int, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, 0, err
	}
	where, args, err := f.where(s.DB.Engine)
	if err != nil {
		return nil, 0, err
	}
	// A list that searches text is not kept: the text is in reports too.
	var stamp int64
	if f.Query == "" {
		if err := s.DB.R.QueryRowContext(ctx, `SELECT n FROM change_stamps WHERE name = 'tasks'`).Scan(&stamp); err != nil {
			return nil, 0, err
		}
		if l, ok := s.lists.get(f, stamp); ok {
			return slices.Clone(l.tasks), l.total, nil
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	offset := max(f.Offset, 0)
	q := `SELECT ` + taskColumns + ` FROM tasks t` + where + ` ORDER BY ` + taskSorts[f.Sort] + ` LIMIT ` + itoa(limit) + ` OFFSET ` + itoa(offset)
	ts, err := db.All(ctx, s.DB.R, scanTask, q, args...)
	if err != nil {
		return nil, 0, err
	}
	// A page that is not full ends the list and so tells the total: the
	// count, a second query, is needed only for a full page or one past
	// the end.
	total := offset + len(ts)
	if len(ts) == limit || len(ts) == 0 && offset > 0 {
		if err := s.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM tasks t`+where, args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	if f.Query == "" {
		s.lists.put(f, stamp, listed{slices.Clone(ts), total})
	}
	return ts, total, nil
}

// listCache keeps task list pages by filter while the database's change
// count for tasks and assignments stands (change_stamps 'tasks', counted up
// by triggers whoever writes, migration 00014): one small read instead of
// the page's queries. A change between reading the stamp and the page
// leaves the page kept newer than its stamp, so the next read after the
// change reads again, never the other way round.
type listCache struct {
	mu    sync.Mutex
	stamp int64
	m     map[TaskFilter]listed
}

type listed struct {
	tasks []Task
	total int
}

// maxLists bounds the pages kept; filters come from requests.
const maxLists = 1024

func (c *listCache) get(f TaskFilter, stamp int64) (listed, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.m[f]
	return l, ok && c.stamp == stamp
}

func (c *listCache) put(f TaskFilter, stamp int64, l listed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if stamp < c.stamp {
		return
	}
	if stamp > c.stamp || c.m == nil || len(c.m) >= maxLists {
		c.m, c.stamp = map[TaskFilter]listed{}, stamp
	}
	c.m[f] = l
}

// EachTask streams every task matching f, for exports.
func (s *Service) EachTask(ctx context.Context, f TaskFilter, fn func(Task) error) error {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return err
	}
	where, args, err := f.where(s.DB.Engine)
	if err != nil {
		return err
	}
	return eachRow(ctx, s.DB.R, func(row db.Scanner) error {
		t, err := scanTask(row)
		if err != nil {
			return err
		}
		return fn(t)
	}, `SELECT `+taskColumns+` FROM tasks t`+where+` ORDER BY `+taskSorts[f.Sort], args...)
}

// LightCounts is how many tasks have each light, and their mean progress.
type LightCounts struct {
	Counts   map[Light]int `json:"counts"`
	Total    int           `json:"total"`
	Progress float64       `json:"progress"` // mean, in percent
	Done     int           `json:"done"`     // completed or closed
}

func (c *LightCounts) add(l Light, n int, progressSum float64) {
	if c.Counts == nil {
		c.Counts = map[Light]int{}
	}
	c.Counts[l] += n
	c.Total += n
	if l == DoneOnTime || l == DoneLate || l == Closed {
		c.Done += n
	}
	c.Progress += progressSum // a sum until finish
}

func (c *LightCounts) finish() {
	if c.Total > 0 {
		c.Progress /= float64(c.Total)
	}
}

// Timeliness is a unit's reporting record.
type Timeliness struct {
	UnitID   int64 `json:"unit_id"`
	OnTime   int   `json:"on_time"`
	Late     int   `json:"late"`
	Returned int   `json:"returned"`
	Missing  int   `json:"missing"` // due and still not submitted
}

// MonthCount is a count in a calendar month ("2006-01").
type MonthCount struct {
	Month string `json:"month"`
	N     int    `json:"n"`
}

// Dashboard is the alliance's state at a glance.
type Dashboard struct {
	Today      clock.Date            `json:"today"`
	All        LightCounts           `json:"all"`
	ByArea     map[int64]LightCounts `json:"by_area"`
	ByUnit     map[int64]LightCounts `json:"by_unit"` // by lead unit
	Closed     []MonthCount          `json:"closed_by_month"`
	Timeliness []Timeliness          `json:"timeliness"`
	Overdue    []Task                `json:"overdue"` // the most overdue first
	// Computed numbers the computation that made it, so that whoever
	// derives something from a dashboard (an encoding, a page) can tell
	// whether it still has the same one.
	Computed uint64 `json:"-"`
}

// Dashboard gathers the dashboard for one plan (0: every plan). Counts come
// from the trigger-kept task_counts, closed_months and report_counts tables,
// grouped in SQL, so its cost follows the number of units and areas, not of
// tasks or reports. A computed dashboard is kept until this instance
// changes anything, the day turns, or dashboardTTL passes (for changes made
// by other instances), so a crowd of people opening it costs one query.
func (s *Service) Dashboard(ctx context.Context, planID int64) (Dashboard, error) {
	if err := access.FromContext(ctx).Check(access.ViewDashboard, 0); err != nil {
		return Dashboard{}, err
	}
	now := s.now()
	if d, ok := s.dash.get(planID, now); ok {
		return d, nil
	}
	// Everyone who finds it stale at once waits for one computation.
	v, err, _ := s.dash.flight.Do(itoa(int(planID)), func() (any, error) {
		gen := s.dash.generation()
		d, err := s.dashboard(ctx, planID)
		d.Computed = s.dash.computed.Add(1)
		if err == nil {
			s.dash.put(planID, d, gen, now)
		}
		return d, err
	})
	d, _ := v.(Dashboard)
	return d, err
}

func (s *Service) dashboard(ctx context.Context, planID int64) (Dashboard, error) {
	d := Dashboard{Today: s.today(), ByArea: map[int64]LightCounts{}, ByUnit: map[int64]LightCounts{}}
	planCond, args := "", []any{}
	if planID != 0 {
		planCond, args = " AND plan_id = $1", []any{planID}
	}
	for _, by := range []struct {
		column string
		into   map[int64]LightCounts
	}{{"area_id", d.ByArea}, {"unit_id", d.ByUnit}} {
		err := eachRow(ctx, s.DB.R, func(row db.Scanner) error {
			var key int64
			var l Light
			var n int
			var sum float64
			if err := row.Scan(&key, &l, &n, &sum); err != nil {
				return err
			}
			c := by.into[key]
			c.add(l, n, sum)
			by.into[key] = c
			if by.column == "area_id" {
				d.All.add(l, n, sum)
			}
			return nil
		}, `SELECT `+by.column+`, light, SUM(n), SUM(progress_sum) FROM task_counts WHERE n > 0`+planCond+` GROUP BY `+by.column+`, light`, args...)
		if err != nil {
			return d, err
		}
	}
	d.All.finish()
	for _, m := range []map[int64]LightCounts{d.ByArea, d.ByUnit} {
		for k, c := range m {
			c.finish()
			m[k] = c
		}
	}
	var err error
	if d.Closed, err = db.All(ctx, s.DB.R, func(row db.Scanner) (MonthCount, error) {
		var m MonthCount
		return m, row.Scan(&m.Month, &m.N)
	}, `SELECT month, SUM(n) FROM closed_months WHERE n > 0`+planCond+` GROUP BY month ORDER BY month`, args...); err != nil {
		return d, err
	}
	if d.Timeliness, err = s.timeliness(ctx, planID); err != nil {
		return d, err
	}
	d.Overdue, _, err = s.ListTasks(ctx, TaskFilter{PlanID: planID, Light: Red, Sort: "due", Limit: 20})
	return d, err
}

// LightsByPlan counts every plan's tasks by light, from the running counts
// the dashboard reads (no task or report row is read): a meeting brief's
// plans in force. A plan's counts equal its dashboard's All.
func (s *Service) LightsByPlan(ctx context.Context) (map[int64]LightCounts, error) {
	if err := access.FromContext(ctx).Check(access.ViewDashboard, 0); err != nil {
		return nil, err
	}
	out := map[int64]LightCounts{}
	err := eachRow(ctx, s.DB.R, func(row db.Scanner) error {
		var plan int64
		var l Light
		var n int
		var sum float64
		if err := row.Scan(&plan, &l, &n, &sum); err != nil {
			return err
		}
		c := out[plan]
		c.add(l, n, sum)
		out[plan] = c
		return nil
	}, `SELECT plan_id, light, SUM(n), SUM(progress_sum) FROM task_counts WHERE n > 0 GROUP BY plan_id, light`)
	for k, c := range out {
		c.finish()
		out[k] = c
	}
	return out, err
}

// dashboardTTL bounds how stale a cached dashboard may be when another
// instance changed the figures.
const dashboardTTL = 10 * time.Second

// dashCache keeps computed dashboards by plan, and the plan list, with the
// generation of local changes they were read at.
type dashCache struct {
	mu       sync.Mutex
	gen      uint64
	m        map[int64]cachedDash
	flight   singleflight.Group
	computed atomic.Uint64
	plans    *cachedPlans
}

type cachedPlans struct {
	list []Plan
	gen  uint64
	at   time.Time
}

type cachedDash struct {
	d   Dashboard
	gen uint64
	at  time.Time
}

func (c *dashCache) changed() {
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
}

func (c *dashCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *dashCache) get(plan int64, now time.Time) (Dashboard, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[plan]
	if !ok || e.gen != c.gen || now.Sub(e.at) > dashboardTTL || clock.DayOf(now) != e.d.Today {
		return Dashboard{}, false
	}
	return e.d, true
}

// put keeps d, computed from the figures as of generation gen; if anything
// changed meanwhile the entry is already stale and will not be served.
func (c *dashCache) put(plan int64, d Dashboard, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]cachedDash{}
	}
	c.m[plan] = cachedDash{d, gen, now}
}

// planList is the plan list kept, while no local change and dashboardTTL
// allow it; the caller may change its copy.
func (c *dashCache) planList(now time.Time) ([]Plan, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.plans
	if e == nil || e.gen != c.gen || now.Sub(e.at) > dashboardTTL {
		return nil, false
	}
	return slices.Clone(e.list), true
}

// keepPlans keeps a copy of list, read as of generation gen.
func (c *dashCache) keepPlans(list []Plan, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.plans = &cachedPlans{slices.Clone(list), gen, now}
}

// timeliness is each unit's on-time, late, returned and missing reports,
// in one plan (0: every plan).
func (s *Service) timeliness(ctx context.Context, planID int64) ([]Timeliness, error) {
	by := map[int64]*Timeliness{}
	get := func(u int64) *Timeliness {
		if by[u] == nil {
			by[u] = &Timeliness{UnitID: u}
		}
		return by[u]
	}
	var counted, missing db.Where
	missing.Add("r.state IN ('pending','draft') AND r.live = TRUE AND r.due_on < ?", s.today())
	join := ""
	if planID != 0 {
		counted.Add("plan_id = ?", planID)
		missing.Add("t.plan_id = ?", planID)
		join = " JOIN tasks t ON t.id = r.task_id"
	}
	err := eachRow(ctx, s.DB.R, func(row db.Scanner) error {
		var u int64
		var on, late, ret int
		if err := row.Scan(&u, &on, &late, &ret); err != nil {
			return err
		}
		t := get(u)
		t.OnTime, t.Late, t.Returned = on, late, ret
		return nil
	}, `SELECT unit_id, SUM(on_time), SUM(late), SUM(returned) FROM report_counts`+counted.SQL()+` GROUP BY unit_id`, counted.Args...)
	if err != nil {
		return nil, err
	}
	// Counted from reports (state, live, due_on, unit_id) alone for every
	// plan; "+" keeps SQLite from walking reports (unit_id, …) instead to
	// save the grouping's sort, and reading every row for it.
	err = eachRow(ctx, s.DB.R, func(row db.Scanner) error {
		var u int64
		var n int
		err := row.Scan(&u, &n)
		get(u).Missing = n
		return err
	}, `SELECT +r.unit_id, count(*) FROM reports r`+join+missing.SQL()+` GROUP BY 1`, missing.Args...)
	out := make([]Timeliness, 0, len(by))
	for _, t := range by {
		out = append(out, *t)
	}
	return out, err
}

// Event is a line of a task's timeline.
type Event struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Kind   string    `json:"kind"`
	UnitID *int64    `json:"unit_id"`
	RefID  *int64    `json:"ref_id"`
	Note   string    `json:"note"`
}

// Timeline lists what happened to a task, newest first.
func (s *Service) Timeline(ctx context.Context, taskID int64) ([]Event, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, func(row db.Scanner) (Event, error) {
		var e Event
		err := row.Scan(&e.At, &e.Actor, &e.Kind, &e.UnitID, &e.RefID, &e.Note)
		e.At = e.At.UTC()
		return e, err
	}, `SELECT at, actor, kind, unit_id, ref_id, note FROM task_events WHERE task_id = $1 ORDER BY at DESC, id DESC`, taskID)
}

// ReportRow is a report with what a list of reports shows beside it.
type ReportRow struct {
	Report
	TaskCode  string `json:"task_code"`
	TaskTitle string `json:"task_title"`
}

// ReportFilter narrows a list of reports.
type ReportFilter struct {
	UnitID  int64         `json:"unit_id"`
	TaskID  int64         `json:"task_id"`
	States  []ReportState `json:"states"`
	DueTo   clock.Date    `json:"due_to"`  // due on or before
	Missing bool          `json:"missing"` // due before today and not submitted
	Limit   int           `json:"limit"`
	Offset  int           `json:"offset"`
}

// ListReports returns a page of reports, earliest due first, and the total.
func (s *Service) ListReports(ctx context.Context, f ReportFilter) ([]ReportRow, int, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, 0, err
	}
	var c db.Where
	add := c.Add
	if f.UnitID != 0 {
		add("r.unit_id = ?", f.UnitID)
	}
	if f.TaskID != 0 {
		add("r.task_id = ?", f.TaskID)
	}
	if f.Missing {
		f.States = []ReportState{Pending, Drafted}
		add("r.due_on < ?", s.today())
	}
	if len(f.States) > 0 {
		// Written out, not bound: the planner picks the index by them.
		in := make([]string, len(f.States))
		for i, st := range f.States {
			if !slices.Contains(ReportStates, st) {
				var v errs.Validation
				v.Add("states", "error.choice")
				return nil, 0, v.Err()
			}
			in[i] = "'" + string(st) + "'"
		}
		c.Add("r.state IN (" + strings.Join(in, ",") + ")")
	}
	if !f.DueTo.IsZero() {
		add("r.due_on <= ?", f.DueTo)
	}
	// Live: the task runs and the unit still takes part (kept by triggers).
	c.Add("r.live = TRUE")
	where, args := c.SQL(), c.Args
	var total int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM reports r`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	// The page's ids first, from an index alone; then their rows and tasks.
	page := `SELECT r.id FROM reports r` + where + ` ORDER BY r.due_on, r.id LIMIT ` + itoa(limit) + ` OFFSET ` + itoa(max(f.Offset, 0))
	rows, err := db.All(ctx, s.DB.R, func(row db.Scanner) (ReportRow, error) {
		var rr ReportRow
		var code, title string
		r, err := scanReport(scanTail{row, []any{&code, &title}})
		rr.Report, rr.TaskCode, rr.TaskTitle = r, code, title
		return rr, err
	}, `SELECT `+prefixed("r.", reportColumns)+`, t.code, t.title FROM (`+page+`) p JOIN reports r ON r.id = p.id JOIN tasks t ON t.id = r.task_id
		ORDER BY r.due_on, r.id`, args...)
	return rows, total, err
}

// prefixed qualifies each column of a column list with p.
func prefixed(p, columns string) string {
	fields := strings.Split(columns, ",")
	for i, f := range fields {
		fields[i] = p + strings.TrimSpace(f)
	}
	return strings.Join(fields, ", ")
}

// scanTail lets a row scanner read extra columns after the ones its caller
// asks for.
type scanTail struct {
	row  db.Scanner
	tail []any
}

func (s scanTail) Scan(dest ...any) error { return s.row.Scan(append(dest, s.tail...)...) }

// Owner is the unit an object belongs to, for permission rules that reach
// only the user's own unit: a task is its lead unit's; an assignment, a
// report and a completion report are their unit's. It checks no permission:
// knowing an object's unit reveals nothing the rules protect.
func (s *Service) Owner(ctx context.Context, kind string, id int64) (int64, error) {
	queries := map[string]string{
		"task":       `SELECT lead_unit_id FROM tasks WHERE id = $1`,
		"assignment": `SELECT unit_id FROM assignments WHERE id = $1`,
		"report":     `SELECT unit_id FROM reports WHERE id = $1`,
		"completion": `SELECT t.lead_unit_id FROM completions c JOIN tasks t ON t.id = c.task_id WHERE c.id = $1`,
	}
	var unit int64
	err := s.DB.R.QueryRowContext(ctx, queries[kind], id).Scan(&unit)
	return unit, errs.NotFoundIf(err, kind)
}
