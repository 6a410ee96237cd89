package bulletin

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"concord/internal/alliance"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/i18n"
)

// listLimit is how many rows a list section shows; the rest are counted.
const listLimit = 100

// inScope selects the tasks a bulletin reports on: tasks of plans past
// draft that ran at some time in the period ($1 its start, $2 its end),
// and unfinished ones even if they fell due before it. Nearly every task is
// in a plan past draft, so "+plan_id" keeps SQLite from reaching the tasks
// plan by plan through the (plan_id, code) index: one pass over the table
// is 2–3 times faster at national scale (PostgreSQL reads it the same).
const inScope = `status NOT IN ('cancelled','merged') AND starts_on <= $2
	AND (due_on >= $1 OR status IN ('active','completion_filed'))
	AND +plan_id IN (SELECT id FROM plans WHERE status <> 'draft')`

// gen holds what one generation needs: the reader, names and language.
type gen struct {
	ctx  context.Context
	q    db.Querier
	dir  *alliance.Directory
	lang string
	b    Bulletin
	asOf clock.Date
}

func (g *gen) t(key string, args ...any) string { return i18n.T(g.lang, key, args...) }

func (g *gen) unit(id int64) string {
	u, _ := g.dir.Unit(id)
	return u.Name.In(g.lang)
}

func (g *gen) area(id int64) string {
	a, _ := g.dir.Area(id)
	return a.Name.In(g.lang)
}

func (g *gen) areaIDs() []int64 {
	ids := make([]int64, len(g.dir.Areas))
	for i, a := range g.dir.Areas {
		ids[i] = a.ID
	}
	return ids
}

func (g *gen) unitIDs() []int64 {
	ids := make([]int64, len(g.dir.Units))
	for i, u := range g.dir.Units {
		ids[i] = u.ID
	}
	return ids
}

// generate writes the bulletin's document from live data as of the day it
// is issued (today for a draft).
func (s *Service) generate(ctx context.Context, q db.Querier, b Bulletin) (Document, error) {
	dir, err := s.Alliance.Directory(ctx)
	if err != nil {
		return Document{}, err
	}
	g := &gen{ctx: ctx, q: q, dir: dir, lang: b.Lang, b: b, asOf: *b.IssuedOn}
	doc := Document{Head: Head{Title: b.Title, Number: b.Number, Issuer: b.Issuer, IssuedOn: g.asOf, PeriodFrom: b.PeriodFrom, PeriodTo: b.PeriodTo, Lang: b.Lang, Draft: b.Status == Draft}}
	tasks, err := g.tasks()
	if err != nil {
		return doc, err
	}
	reports, err := g.reports()
	if err != nil {
		return doc, err
	}
	insp, err := g.inspections()
	if err != nil {
		return doc, err
	}
	red, err := g.lightList("red", tasks.total.red)
	if err != nil {
		return doc, err
	}
	yellow, err := g.lightList("yellow", tasks.total.yellow)
	if err != nil {
		return doc, err
	}
	doc.Sections = []Section{
		{Title: g.t("bulletin.doc.overview"), Paragraphs: []string{tasks.overview(g), reports.overview(g), insp.overview(g)}},
		{Title: g.t("bulletin.doc.completion"), Parts: []Section{
			part(g, g.t("bulletin.doc.by_area"), tasks.table(g, g.t("bulletin.col.area"), tasks.byArea, g.areaIDs(), g.area)),
			part(g, g.t("bulletin.doc.by_unit"), tasks.table(g, g.t("bulletin.col.lead"), tasks.byUnit, g.unitIDs(), g.unit)),
		}},
		{Title: g.t("bulletin.doc.lights"), Parts: []Section{
			part(g, g.t("bulletin.doc.red"), red),
			part(g, g.t("bulletin.doc.yellow"), yellow),
		}},
		part(g, g.t("bulletin.doc.reports"), reports.table(g)),
		{Title: g.t("bulletin.doc.inspections"), Parts: []Section{
			part(g, g.t("bulletin.doc.findings"), insp.findingTable(g)),
			part(g, g.t("bulletin.doc.rectifications"), insp.rectTable(g)),
		}},
	}
	scope := Scope{From: b.PeriodFrom, To: b.PeriodTo, Lang: b.Lang}
	for _, p := range s.Providers {
		sections, err := p.BulletinSections(ctx, scope)
		if err != nil {
			return doc, err
		}
		doc.Sections = append(doc.Sections, sections...)
	}
	doc.Sections = append(doc.Sections, practiceSection(b.Lang, b.Notes))
	return doc, nil
}

// part is a section with a table, or that there is nothing to list.
func part(g *gen, title string, t *Table) Section {
	if t == nil {
		return Section{Title: title, Paragraphs: []string{g.t("bulletin.doc.none")}}
	}
	t.Sheet = title
	return Section{Title: title, Table: t}
}

// practiceSection is the office's good-practice notes, a paragraph a note;
// always the last section.
func practiceSection(lang, text string) Section {
	s := Section{Title: i18n.T(lang, "bulletin.doc.practice"), Paragraphs: notes(text)}
	if len(s.Paragraphs) == 0 {
		s.Paragraphs = []string{i18n.T(lang, "bulletin.doc.none")}
	}
	return s
}

// lightCounts tallies tasks by light.
type lightCounts struct {
	tasks, done, red, yellow, green int
	progress                        float64 // sum of percentages
}

func (c *lightCounts) add(o lightCounts) {
	c.tasks += o.tasks
	c.done += o.done
	c.red += o.red
	c.yellow += o.yellow
	c.green += o.green
	c.progress += o.progress
}

func (c lightCounts) row(name string) []string {
	return []string{name, strconv.Itoa(c.tasks), strconv.Itoa(c.done), percent(c.done, c.tasks), strconv.Itoa(c.red), strconv.Itoa(c.yellow), fmt.Sprintf("%.1f%%", c.progress/float64(max(c.tasks, 1)))}
}

func percent(n, of int) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

// taskCounts is the tasks in scope by area and by lead unit.
type taskCounts struct {
	total          lightCounts
	byArea, byUnit map[int64]*lightCounts
}

// tasks counts the tasks in scope in one pass grouped by area and lead unit.
func (g *gen) tasks() (taskCounts, error) {
	tc := taskCounts{byArea: map[int64]*lightCounts{}, byUnit: map[int64]*lightCounts{}}
	type group struct {
		area, unit int64
		c          lightCounts
	}
	groups, err := db.All(g.ctx, g.q, func(sc db.Scanner) (group, error) {
		var r group
		return r, sc.Scan(&r.area, &r.unit, &r.c.tasks, &r.c.done, &r.c.red, &r.c.yellow, &r.c.green, &r.c.progress)
	}, `SELECT area_id, lead_unit_id, COUNT(*),
		SUM(CASE WHEN light IN ('done_on_time','done_late','closed') THEN 1 ELSE 0 END),
		SUM(CASE WHEN light = 'red' THEN 1 ELSE 0 END),
		SUM(CASE WHEN light = 'yellow' THEN 1 ELSE 0 END),
		SUM(CASE WHEN light = 'green' THEN 1 ELSE 0 END),
		SUM(progress)
		FROM tasks WHERE `+inScope+` GROUP BY area_id, lead_unit_id`, g.b.PeriodFrom, g.b.PeriodTo)
	for _, r := range groups {
		tc.total.add(r.c)
		addTo(tc.byArea, r.area, r.c)
		addTo(tc.byUnit, r.unit, r.c)
	}
	return tc, err
}

func addTo(m map[int64]*lightCounts, id int64, c lightCounts) {
	if m[id] == nil {
		m[id] = &lightCounts{}
	}
	m[id].add(c)
}

func (tc taskCounts) overview(g *gen) string {
	c := tc.total
	return g.t("bulletin.doc.overview.tasks", LongDate(g.lang, g.b.PeriodFrom), LongDate(g.lang, g.b.PeriodTo), c.tasks, c.done, percent(c.done, c.tasks),
		c.red, c.yellow, c.green, fmt.Sprintf("%.1f%%", c.progress/float64(max(c.tasks, 1))))
}

// table lists counts per area or unit in the directory's order (areas by
// position, units as listed), with a total row.
func (tc taskCounts) table(g *gen, first string, m map[int64]*lightCounts, ids []int64, name func(int64) string) *Table {
	if len(m) == 0 {
		return nil
	}
	t := &Table{Head: []string{first, g.t("bulletin.col.tasks"), g.t("bulletin.col.done"), g.t("bulletin.col.rate"), g.t("bulletin.col.red"), g.t("bulletin.col.yellow"), g.t("bulletin.col.progress")}}
	for _, id := range ids {
		if c := m[id]; c != nil {
			t.Rows = append(t.Rows, c.row(name(id)))
		}
	}
	t.Rows = append(t.Rows, tc.total.row(g.t("bulletin.col.total")))
	return t
}

// lightList lists the tasks in scope with light, the earliest due first.
func (g *gen) lightList(light string, count int) (*Table, error) {
	if count == 0 {
		return nil, nil
	}
	rows, err := db.All(g.ctx, g.q, func(sc db.Scanner) ([]string, error) {
		var code, title string
		var lead int64
		var due clock.Date
		var progress float64
		err := sc.Scan(&code, &title, &lead, &due, &progress)
		return []string{code, title, g.unit(lead), due.String(), fmt.Sprintf("%.0f%%", progress)}, err
	}, `SELECT code, title, lead_unit_id, due_on, progress FROM tasks WHERE light = $3 AND `+inScope+`
		ORDER BY due_on, code LIMIT $4`, g.b.PeriodFrom, g.b.PeriodTo, light, listLimit)
	t := &Table{Head: []string{g.t("bulletin.col.code"), g.t("bulletin.col.title"), g.t("bulletin.col.lead"), g.t("bulletin.col.due"), g.t("bulletin.col.task_progress")}, Rows: rows}
	g.truncated(t, count)
	return t, err
}

func (g *gen) truncated(t *Table, count int) {
	if count > len(t.Rows) {
		t.Note = g.t("bulletin.doc.truncated", len(t.Rows), count)
	}
}

// reportCounts is the progress reports due in the period, per unit.
type reportCounts struct {
	total  reportLine
	byUnit []reportLine
}

type reportLine struct {
	unit                       int64
	due, onTime, late, missing int
}

// reports counts the reports due in the period by unit from one index:
// submitted on time, late, and not submitted though due before the bulletin's
// day (reports of ended tasks that were never sent are not owed).
func (g *gen) reports() (reportCounts, error) {
	var rc reportCounts
	lines, err := db.All(g.ctx, g.q, func(sc db.Scanner) (reportLine, error) {
		var l reportLine
		return l, sc.Scan(&l.unit, &l.due, &l.onTime, &l.late, &l.missing)
	}, `SELECT unit_id,
		SUM(CASE WHEN first_submitted_at IS NOT NULL OR live = TRUE THEN 1 ELSE 0 END),
		SUM(CASE WHEN on_time = TRUE THEN 1 ELSE 0 END),
		SUM(CASE WHEN on_time = FALSE THEN 1 ELSE 0 END),
		SUM(CASE WHEN first_submitted_at IS NULL AND live = TRUE AND due_on < $3 THEN 1 ELSE 0 END)
		FROM reports WHERE due_on >= $1 AND due_on <= $2 GROUP BY unit_id`, g.b.PeriodFrom, g.b.PeriodTo, g.asOf)
	for _, l := range lines {
		rc.total.due += l.due
		rc.total.onTime += l.onTime
		rc.total.late += l.late
		rc.total.missing += l.missing
		if l.late+l.missing > 0 {
			rc.byUnit = append(rc.byUnit, l)
		}
	}
	// The units with the most reports late or missing first.
	sort.Slice(rc.byUnit, func(i, j int) bool {
		a, b := rc.byUnit[i], rc.byUnit[j]
		if a.late+a.missing != b.late+b.missing {
			return a.late+a.missing > b.late+b.missing
		}
		return g.unit(a.unit) < g.unit(b.unit)
	})
	return rc, err
}

func (rc reportCounts) overview(g *gen) string {
	c := rc.total
	return g.t("bulletin.doc.overview.reports", c.due, c.onTime, c.late, c.missing, percent(c.onTime, c.onTime+c.late))
}

func (rc reportCounts) table(g *gen) *Table {
	if len(rc.byUnit) == 0 {
		return nil
	}
	t := &Table{Head: []string{g.t("bulletin.col.unit"), g.t("bulletin.col.reports"), g.t("bulletin.col.on_time"), g.t("bulletin.col.late"), g.t("bulletin.col.missing")}}
	for _, l := range rc.byUnit[:min(len(rc.byUnit), listLimit)] {
		t.Rows = append(t.Rows, []string{g.unit(l.unit), strconv.Itoa(l.due), strconv.Itoa(l.onTime), strconv.Itoa(l.late), strconv.Itoa(l.missing)})
	}
	g.truncated(t, len(rc.byUnit))
	return t
}

// inspectionFacts is the inspection rounds that ran in the period, their
// findings and the rectification items opened from them.
type inspectionFacts struct {
	rounds   int
	findings [][]string
	rects    [][]string
	closed   int
	overdue  int
}

const roundsInPeriod = `SELECT id FROM inspections WHERE starts_on <= $2 AND ends_on >= $1`

func (g *gen) inspections() (inspectionFacts, error) {
	var f inspectionFacts
	if err := g.q.QueryRowContext(g.ctx, `SELECT COUNT(*) FROM inspections WHERE id IN (`+roundsInPeriod+`)`, g.b.PeriodFrom, g.b.PeriodTo).Scan(&f.rounds); err != nil {
		return f, err
	}
	var err error
	if f.findings, err = db.All(g.ctx, g.q, func(sc db.Scanner) ([]string, error) {
		var round, severity, text string
		var unit int64
		err := sc.Scan(&round, &unit, &severity, &text)
		return []string{round, g.unit(unit), g.t("finding.severity." + severity), text}, err
	}, `SELECT i.title, f.unit_id, f.severity, f.description FROM findings f JOIN inspections i ON i.id = f.inspection_id
		WHERE f.inspection_id IN (`+roundsInPeriod+`) ORDER BY i.starts_on, i.id, f.id`, g.b.PeriodFrom, g.b.PeriodTo); err != nil {
		return f, err
	}
	f.rects, err = db.All(g.ctx, g.q, func(sc db.Scanner) ([]string, error) {
		var unit int64
		var requirement, status string
		var due clock.Date
		var closed *clock.Date
		if err := sc.Scan(&unit, &requirement, &due, &status, &closed); err != nil {
			return nil, err
		}
		closedOn := ""
		if closed != nil {
			closedOn = closed.String()
			f.closed++
		} else if (status == "open" || status == "returned") && due.Before(g.asOf) {
			f.overdue++
		}
		return []string{g.unit(unit), requirement, due.String(), g.t("rectification.status." + status), closedOn}, nil
	}, `SELECT unit_id, requirement, due_on, status, closed_on FROM rectifications
		WHERE source_kind = 'finding' AND source_ref IN (SELECT CAST(id AS TEXT) FROM findings WHERE inspection_id IN (`+roundsInPeriod+`))
		ORDER BY due_on, id`, g.b.PeriodFrom, g.b.PeriodTo)
	return f, err
}

func (f inspectionFacts) overview(g *gen) string {
	return g.t("bulletin.doc.overview.inspections", f.rounds, len(f.findings), len(f.rects), f.closed, f.overdue)
}

func (f inspectionFacts) findingTable(g *gen) *Table {
	return g.list([]string{g.t("bulletin.col.inspection"), g.t("bulletin.col.unit"), g.t("bulletin.col.severity"), g.t("bulletin.col.finding")}, f.findings)
}

func (f inspectionFacts) rectTable(g *gen) *Table {
	return g.list([]string{g.t("bulletin.col.unit"), g.t("bulletin.col.requirement"), g.t("bulletin.col.due"), g.t("bulletin.col.status"), g.t("bulletin.col.closed_on")}, f.rects)
}

// list is a table of the first listLimit rows, or nil when there are none.
func (g *gen) list(head []string, rows [][]string) *Table {
	if len(rows) == 0 {
		return nil
	}
	t := &Table{Head: head, Rows: rows[:min(len(rows), listLimit)]}
	g.truncated(t, len(rows))
	return t
}
