package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/plans"
)

// chart is an ECharts figure, drawn by app.js from its JSON spec, with the
// same figures as a table: its text alternative, and what a printout keeps.
type chart struct {
	ID, Title, TableLabel string
	Empty                 string // said instead when there is nothing to draw
	Spec                  map[string]any
	Columns               []string // the first heads the row labels
	Rows                  []chartRow
}

type chartRow struct {
	Label string
	Cells []any
}

func newChart(p pageData, id, titleKey, kind string, columns ...string) chart {
	return chart{ID: id, Title: p.T(titleKey), TableLabel: p.T("plans.ui.chart.table"), Empty: p.T("list.empty"), Spec: map[string]any{"type": kind}, Columns: columns}
}

// category is one bar of a chart: a unit or an area.
type category struct {
	id   int64
	name string
}

// lightChart stacks the tasks of each category by light.
func lightChart(p pageData, id, titleKey, rowsKey string, cats []category, counts map[int64]plans.LightCounts) chart {
	var shown []plans.Light
	for _, l := range plans.Lights {
		for _, c := range cats {
			if counts[c.id].Counts[l] > 0 {
				shown = append(shown, l)
				break
			}
		}
	}
	cols := []string{p.T(rowsKey)}
	for _, l := range shown {
		cols = append(cols, p.Label("light", l))
	}
	ch := newChart(p, id, titleKey, "stack", append(cols, p.T("plans.ui.col.total"), p.T("plans.ui.col.progress"))...)
	var labels []string
	series := make([][]int, len(shown))
	for _, c := range cats {
		lc, ok := counts[c.id]
		if !ok {
			continue
		}
		labels = append(labels, c.name)
		row := chartRow{Label: c.name}
		for i, l := range shown {
			series[i] = append(series[i], lc.Counts[l])
			row.Cells = append(row.Cells, lc.Counts[l])
		}
		ch.Rows = append(ch.Rows, chartRow{Label: row.Label, Cells: append(row.Cells, lc.Total, p.Pct(lc.Progress))})
	}
	var out []map[string]any
	for i, l := range shown {
		out = append(out, map[string]any{"name": p.Label("light", l), "key": "light-" + string(l), "values": series[i]})
	}
	ch.Spec["categories"], ch.Spec["series"] = labels, out
	return ch
}

// closedChart is the tasks verified and closed (销号) in each month.
func closedChart(p pageData, months []plans.MonthCount) chart {
	ch := newChart(p, "closed-chart", "plans.ui.dash.closed", "line", p.T("plans.ui.col.month"), p.T("plans.ui.col.closed"))
	labels, values := []string{}, []int{}
	for _, m := range months {
		labels, values = append(labels, m.Month), append(values, m.N)
		ch.Rows = append(ch.Rows, chartRow{Label: m.Month, Cells: []any{m.N}})
	}
	ch.Spec["labels"], ch.Spec["values"] = labels, values
	return ch
}

// timelinessChart is each unit's reports on time, late, returned and missing.
func timelinessChart(p pageData, dir *directory, ts []plans.Timeliness) chart {
	kinds := []string{"on_time", "late", "returned", "missing"}
	cols := []string{p.T("plans.ui.col.unit")}
	for _, k := range kinds {
		cols = append(cols, p.T("plans.ui.timely."+k))
	}
	ch := newChart(p, "timeliness-chart", "plans.ui.dash.timeliness", "bars", cols...)
	by := map[int64]plans.Timeliness{}
	for _, t := range ts {
		by[t.UnitID] = t
	}
	var labels []string
	series := make([][]int, len(kinds))
	for _, u := range dir.Units {
		t, ok := by[u.ID]
		if !ok {
			continue
		}
		counts := []int{t.OnTime, t.Late, t.Returned, t.Missing}
		labels = append(labels, dir.Unit(u.ID))
		row := chartRow{Label: dir.Unit(u.ID)}
		for i, n := range counts {
			series[i] = append(series[i], n)
			row.Cells = append(row.Cells, n)
		}
		ch.Rows = append(ch.Rows, row)
	}
	var out []map[string]any
	for i, k := range kinds {
		out = append(out, map[string]any{"name": p.T("plans.ui.timely." + k), "key": "timely-" + k, "values": series[i]})
	}
	ch.Spec["categories"], ch.Spec["series"] = labels, out
	return ch
}

// tile is a count of tasks with one light, linking to them.
type tile struct {
	Light plans.Light
	N     int
	Link  string
}

type dashboardData struct {
	*directory
	Plans  []plans.Plan
	PlanID int64
	Sample bool
	Dash   plans.Dashboard
	Tiles  []tile
	// Charts are drawn chart by chart: the page prints each through fmt,
	// whose buffers are reused up to 64 KB, and all four together (90 KB
	// at 300 units) would need a new one on every visit.
	Charts []template.HTML
	// Supervision is the alliance-wide block drawn
	// (ui_dashboard_supervision.go).
	Supervision template.HTML
}

// PlanPicker draws the form choosing the dashboard's plan. Built here, not
// by the template: there each plan was several actions, a quarter of the
// dashboard's allocations.
func (p pageData) PlanPicker(d *dashboardData) template.HTML {
	var b strings.Builder
	b.Grow(512 + len(d.Plans)*optionSize)
	esc := func(s string) { b.WriteString(template.HTMLEscapeString(s)) }
	b.WriteString(`<form method="get" action="/" class="filters noprint">` + "\n" + `  <label for="dash-plan">`)
	esc(p.T("plans.ui.field.plan"))
	b.WriteString(`</label>` + "\n" + `  <select id="dash-plan" name="plan_id" class="autosubmit"><option value="">`)
	esc(p.T("plans.ui.all_plans"))
	b.WriteString("</option>")
	for _, pl := range d.Plans {
		b.WriteString(`<option value="` + itoa(pl.ID) + `"`)
		if pl.ID == d.PlanID {
			b.WriteString(" selected")
		}
		b.WriteByte('>')
		esc(pl.Code + " " + pl.Name)
		if pl.Sample {
			esc(" · " + p.T("plans.ui.sample"))
		}
		b.WriteString("</option>")
	}
	b.WriteString("</select>\n" + `  <button type="submit" class="nojs">`)
	esc(p.T("action.switch"))
	b.WriteString("</button>\n</form>")
	return template.HTML(b.String())
}

// pageDashboard is the home page: the supervision dashboard for business
// roles, the administrators' home for the rest.
func (s *Server) pageDashboard(w http.ResponseWriter, r *http.Request) {
	if !actorOf(r).Can(access.ViewDashboard, 0) {
		s.pageHome(w, r)
		return
	}
	s.showPage(s.dashboardPage)(w, r)
}

func (s *Server) dashboardPage(r *http.Request, _ form) (string, pageData, error) {
	ctx := r.Context()
	d := &dashboardData{}
	p := s.newPage(r, "plans.ui.page.dashboard", d)
	q := readQuery(r)
	d.PlanID = q.id("plan_id")
	if err := q.err(); err != nil {
		return "", p, err
	}
	var err error
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	if d.Plans, err = s.Plans.Plans(ctx); err != nil {
		return "", p, err
	}
	for _, pl := range d.Plans {
		if d.PlanID == 0 || pl.ID == d.PlanID {
			d.Sample = d.Sample || pl.Sample
		}
	}
	if d.Dash, err = s.Plans.Dashboard(ctx, d.PlanID); err != nil {
		return "", p, err
	}
	for _, l := range plans.Lights {
		link := url.Values{"light": {string(l)}}
		if d.PlanID != 0 {
			link.Set("plan_id", itoa(d.PlanID))
		}
		d.Tiles = append(d.Tiles, tile{l, d.Dash.All.Counts[l], "/tasks?" + link.Encode()})
	}
	key, from := derivedKey{"dashboard.charts", d.PlanID, p.Lang}, derivedFrom{d.Dash.Computed, d.all}
	charts, ok := s.derived.get(key, from)
	if !ok {
		var drawn []template.HTML
		for _, ch := range dashboardCharts(p, d) {
			var buf bytes.Buffer
			if err := s.pages.byName["dashboard"].ExecuteTemplate(&buf, "dashboard-chart", ch); err != nil {
				return "", p, err
			}
			drawn = append(drawn, template.HTML(buf.String()))
		}
		charts = drawn
		s.derived.put(key, from, charts)
	}
	d.Charts = charts.([]template.HTML)
	d.Supervision, err = s.supervisionDrawn(ctx, p, d.directory)
	return "dashboard", p, err
}

// dashboardCharts are the dashboard's figures drawn: by area, by lead unit,
// closed by month and report timeliness.
func dashboardCharts(p pageData, d *dashboardData) []chart {
	var areas, units []category
	for _, a := range d.Areas {
		areas = append(areas, category{a.ID, d.Area(a.ID)})
	}
	for _, u := range d.Units {
		units = append(units, category{u.ID, d.Unit(u.ID)})
	}
	return []chart{
		lightChart(p, "area-chart", "plans.ui.dash.by_area", "plans.ui.col.area", areas, d.Dash.ByArea),
		lightChart(p, "unit-chart", "plans.ui.dash.by_unit", "plans.ui.col.lead_unit", units, d.Dash.ByUnit),
		closedChart(p, d.Dash.Closed),
		timelinessChart(p, d.directory, d.Dash.Timeliness),
	}
}

// workspaceData is what one unit has to do, and for the office what waits
// for its review.
type workspaceData struct {
	*directory
	UnitID   int64
	Today    clock.Date
	Tasks    []plans.Task
	Due      []plans.ReportRow
	Returned []plans.ReportRow
	Chases   []plans.Chase
	// LeaderApproval: the viewer leads the unit and signs its reports off.
	LeaderApproval bool
	Approval       []plans.ReportRow
	Review         []plans.ReportRow // for the office
	Filed          []plans.Task      // for the office: completion filed, to verify and close
	unitWork                         // the unit's open rectification items and problems (ui_inspect.go)
}

func (s *Server) workspacePage(r *http.Request, _ form) (string, pageData, error) {
	ctx := r.Context()
	a := actorOf(r)
	d := &workspaceData{UnitID: a.UnitID, Today: clock.Today(s.Plans.Clock)}
	p := s.newPage(r, "plans.ui.page.workspace", d)
	var err error
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	p.Title += " · " + d.Unit(a.UnitID)
	set, err := s.Plans.Settings(ctx)
	if err != nil {
		return "", p, err
	}
	reports := func(f plans.ReportFilter) []plans.ReportRow {
		var rows []plans.ReportRow
		if err == nil {
			f.Limit = 100
			rows, _, err = s.Plans.ListReports(ctx, f)
		}
		return rows
	}
	d.Tasks, _, err = s.Plans.ListTasks(ctx, plans.TaskFilter{UnitID: a.UnitID, Sort: "due", Limit: 100})
	d.Due = reports(plans.ReportFilter{UnitID: a.UnitID, States: []plans.ReportState{plans.Pending, plans.Drafted}, DueTo: d.Today.AddDays(14)})
	d.Returned = reports(plans.ReportFilter{UnitID: a.UnitID, States: []plans.ReportState{plans.Returned}})
	d.LeaderApproval = set.LeaderApproval && a.Can(access.ApproveReport, a.UnitID)
	if d.LeaderApproval {
		d.Approval = reports(plans.ReportFilter{UnitID: a.UnitID, States: []plans.ReportState{plans.Submitted}})
	}
	if a.Can(access.ReviewReport, 0) {
		d.Review = reports(plans.ReportFilter{States: []plans.ReportState{plans.Submitted, plans.Approved}})
		if err == nil {
			d.Filed, _, err = s.Plans.ListTasks(ctx, plans.TaskFilter{Status: plans.TaskFiled, Sort: "due", Limit: 100})
		}
	}
	if err == nil {
		d.Chases, err = s.Plans.Chases(ctx, a.UnitID, 0, 20)
	}
	if err == nil {
		d.unitWork, err = s.unitWorkOf(ctx, a.UnitID)
	}
	return "workspace", p, err
}
