package planio

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"concord/internal/clock"
	"concord/internal/errs"
	"concord/internal/plans"
	"concord/internal/sheet"
)

// taskSpec is the plan workbook's task sheet: one row per task, its goal
// given on the row (by code, created or renamed as the sheet says).
func taskSpec() sheet.TableSpec {
	cycle := []sheet.Option{{Value: "monthly", Label: "cycle.monthly"}, {Value: "quarterly", Label: "cycle.quarterly"}, {Value: "custom", Label: "cycle.custom"}}
	return sheet.TableSpec{Sheet: "planio.sheet.tasks", Columns: []sheet.Column{
		column("goal_code", sheet.Text, true, 10),
		column("goal_title", sheet.Text, true, 24),
		column("area", sheet.Text, true, 12),
		column("code", sheet.Text, true, 14),
		column("title", sheet.Text, true, 36),
		column("lead_unit", sheet.Text, true, 18),
		column("co_units", sheet.Text, false, 28),
		column("starts_on", sheet.Date, true, 12),
		column("due_on", sheet.Date, true, 12),
		column("description", sheet.Text, false, 36),
		column("deliverables", sheet.Text, false, 28),
		column("target", sheet.Text, false, 28),
		column("indicator", sheet.Text, false, 16),
		column("indicator_unit", sheet.Text, false, 8),
		column("target_value", sheet.Decimal, false, 10),
		column("weight", sheet.Decimal, false, 8),
		{Key: "cycle", Label: "planio.col.cycle", Type: sheet.Choice, Options: cycle, Width: 10},
		column("report_dates", sheet.Text, false, 24),
		column("milestones", sheet.Text, false, 36),
	}}
}

// fieldColumns maps the service's field names to the sheet's columns.
var fieldColumns = map[string]string{
	"goal_id": "goal_code", "goal.code": "goal_code", "goal.title": "goal_title", "goal.area_id": "area", "area_id": "area",
	"lead_unit_id": "lead_unit", "co_unit_ids": "co_units",
}

func taskColumn(field string) string {
	if c, ok := fieldColumns[field]; ok {
		return c
	}
	if strings.HasPrefix(field, "milestones") {
		return "milestones"
	}
	if strings.HasPrefix(field, "revision") {
		return ""
	}
	return field
}

// listSep splits the lists typed in one cell: co-operating units, report
// dates, milestones. Chinese and Western separators and line breaks all work.
func listSep(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、，,；;\n", r) })
	var out []string
	for _, x := range f {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// TaskTemplate writes the plan workbook in lang: instructions, the task
// sheet with drop-down lists of units and areas, and the plan's tasks when
// planID is not 0 (an export that re-imports unchanged).
func (s *Service) TaskTemplate(ctx context.Context, w io.Writer, lang string, planID int64) error {
	units, err := s.units(ctx, lang)
	if err != nil {
		return err
	}
	areas, err := s.areas(ctx, lang)
	if err != nil {
		return err
	}
	t, err := template(lang, "planio.howto", 7)
	if err != nil {
		return err
	}
	tw, err := t.AddTable(taskSpec(), map[string][]string{"lead_unit": units.shown, "area": areas.shown})
	if err != nil {
		return err
	}
	if planID != 0 {
		if err := s.exportTasks(ctx, tw, planID, units, areas); err != nil {
			return err
		}
	}
	return t.Write(w)
}

func (s *Service) exportTasks(ctx context.Context, tw *sheet.TableWriter, planID int64, units, areas *names) error {
	goals, err := s.Plans.Goals(ctx, planID)
	if err != nil {
		return err
	}
	byID := map[int64]plans.Goal{}
	for _, g := range goals {
		byID[g.ID] = g
	}
	return s.Plans.EachTask(ctx, plans.TaskFilter{PlanID: planID}, func(t plans.Task) error {
		if t.Status == plans.TaskCancelled || t.Status == plans.TaskMerged {
			return nil
		}
		as, err := s.Plans.Assignments(ctx, t.ID)
		if err != nil {
			return err
		}
		var co []string
		for _, a := range as {
			if a.Active && a.Role == plans.Co {
				co = append(co, units.byID[a.UnitID])
			}
		}
		ms, err := s.Plans.Milestones(ctx, t.ID)
		if err != nil {
			return err
		}
		var mss, dates []string
		for _, m := range ms {
			mss = append(mss, m.DueOn.String()+" "+m.Title)
		}
		for _, d := range t.ReportDates {
			dates = append(dates, d.String())
		}
		g := byID[t.GoalID]
		row := map[string]any{"goal_code": g.Code, "goal_title": g.Title, "area": areas.byID[g.AreaID], "code": t.Code, "title": t.Title,
			"lead_unit": units.byID[t.LeadUnitID], "co_units": strings.Join(co, "、"), "starts_on": t.StartsOn.Time(), "due_on": t.DueOn.Time(),
			"description": t.Description, "deliverables": t.Deliverables, "target": t.Target, "indicator": t.Indicator,
			"indicator_unit": t.IndicatorUnit, "weight": t.Weight, "cycle": string(t.Cycle), "report_dates": strings.Join(dates, "、"),
			"milestones": strings.Join(mss, "；")}
		if t.TargetValue != nil {
			row["target_value"] = *t.TargetValue
		}
		return tw.Append(row)
	})
}

// ImportTasks reads a plan workbook (or CSV of its task sheet) and creates
// or updates plan planID's goals and tasks by code. Nothing is written
// unless commit is set and the whole file is clean.
func (s *Service) ImportTasks(ctx context.Context, r io.Reader, f Format, lang string, planID int64, note plans.RevisionNote, commit bool) (Preview, error) {
	tbl, err := read(r, f, taskSpec())
	if err != nil {
		return Preview{}, err
	}
	units, err := s.units(ctx, lang)
	if err != nil {
		return Preview{}, err
	}
	areas, err := s.areas(ctx, lang)
	if err != nil {
		return Preview{}, err
	}
	pv := Preview{Problems: tbl.Problems}
	if headerBroken(tbl) {
		pv.Problems.Sort()
		return pv, nil // the rows cannot be read right until the headers are
	}
	flawed := map[int]bool{} // rows the reader found problems on: checked no further, so each mistake is said once
	for _, p := range tbl.Problems {
		flawed[p.Row] = true
	}
	var rows []plans.ImportRow
	byRow := map[int]sheet.Row{}
	seen := map[string]int{}
	for _, row := range tbl.Rows {
		in, ps := taskInput(row, units, areas)
		code := row.Text("code")
		if first, dup := seen[code]; dup && code != "" {
			ps.Add(row.Problem("code", "error.planio.duplicate_code", code, itoa(first)))
		} else {
			seen[code] = row.Num
		}
		pv.Problems.Add(ps...)
		if len(ps) == 0 && !flawed[row.Num] {
			rows = append(rows, in)
			byRow[row.Num] = row
		}
	}
	// Check what the service would say even when the sheet has problems, so
	// that the user sees them all at once; commit only a clean file.
	res, err := s.Plans.ImportTasks(ctx, planID, rows, note, commit && len(pv.Problems) == 0)
	var e *errs.Error
	if errors.As(err, &e) && e.Kind == errs.Invalid {
		for _, fe := range e.Fields {
			pv.Problems.Add(sheet.Problem{Sheet: tbl.Sheet, Field: fe.Field, Label: "planio.col." + fe.Field, Key: fe.Key})
		}
		return pv, nil
	}
	if err != nil {
		return pv, err
	}
	for _, re := range res.Errors {
		pv.Problems.Add(rowProblems(byRow[re.Row], re.Err, taskColumn)...)
	}
	pv.Rows, pv.Committed = res.Rows, res.Committed
	pv.Problems.Sort()
	return pv, nil
}

// headerBroken reports whether the reader found problems outside the data
// rows: a missing, unknown or repeated header, or no table at all.
func headerBroken(tbl *sheet.Table) bool {
	data := map[int]bool{}
	for _, r := range tbl.Rows {
		data[r.Num] = true
	}
	for _, p := range tbl.Problems {
		if !data[p.Row] {
			return true
		}
	}
	return false
}

// taskInput reads one task row; what it cannot resolve becomes problems.
func taskInput(row sheet.Row, units, areas *names) (plans.ImportRow, sheet.Problems) {
	var ps sheet.Problems
	in := plans.ImportRow{Row: row.Num}
	resolve := func(key, unknown string, n *names) int64 {
		if !row.Has(key) {
			return 0
		}
		id, p := n.find(row, key, row.Text(key), unknown)
		if p != nil {
			ps.Add(*p)
		}
		return id
	}
	area := resolve("area", "error.planio.unknown_area", areas)
	in.Goal = plans.GoalInput{Code: row.Text("goal_code"), Title: row.Text("goal_title"), AreaID: area}
	t := plans.TaskInput{Code: row.Text("code"), Title: row.Text("title"), AreaID: area, Description: row.Text("description"),
		Deliverables: row.Text("deliverables"), Target: row.Text("target"), Indicator: row.Text("indicator"),
		IndicatorUnit: row.Text("indicator_unit"), Cycle: plans.Cycle(row.Text("cycle"))}
	t.LeadUnitID = resolve("lead_unit", "error.sheet.unknown_unit", units)
	for _, name := range listSep(row.Text("co_units")) {
		id, p := units.find(row, "co_units", name, "error.sheet.unknown_unit")
		if p != nil {
			ps.Add(*p)
		}
		t.CoUnitIDs = append(t.CoUnitIDs, id)
	}
	if d, ok := row.Date("starts_on"); ok {
		t.StartsOn = clock.DayOf(d)
	}
	if d, ok := row.Date("due_on"); ok {
		t.DueOn = clock.DayOf(d)
	}
	if v, ok := row.Float("target_value"); ok {
		t.TargetValue = &v
	}
	if v, ok := row.Float("weight"); ok {
		t.Weight = v
	}
	for _, s := range listSep(row.Text("report_dates")) {
		d, ok := parseDay(s)
		if !ok {
			ps.Add(row.Problem("report_dates", "error.sheet.date", s))
			continue
		}
		t.ReportDates = append(t.ReportDates, d)
	}
	for _, s := range listSep(row.Text("milestones")) {
		day, title, _ := strings.Cut(s, " ")
		d, ok := parseDay(day)
		if !ok || strings.TrimSpace(title) == "" {
			ps.Add(row.Problem("milestones", "error.planio.milestone", s))
			continue
		}
		t.Milestones = append(t.Milestones, plans.MilestoneInput{Title: strings.TrimSpace(title), DueOn: d})
	}
	in.Task = t
	return in, ps
}

// parseDay reads a date typed inside a list cell, in the forms the sheet
// reader accepts for date cells.
func parseDay(s string) (clock.Date, bool) {
	for _, layout := range []string{"2006-01-02", "2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return clock.DayOf(t), true
		}
	}
	return clock.Date{}, false
}

func itoa(n int) string { return strconv.Itoa(n) }
