package inspect

import (
	"context"
	"sort"
	"strconv"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/i18n"
	"concord/internal/meetings"
)

// UnitOpen is how many of a unit's items are open, and overdue among them.
type UnitOpen struct {
	UnitID  int64 `json:"unit_id"`
	Open    int   `json:"open"`
	Overdue int   `json:"overdue"`
}

// unitRects is one unit's items for a brief: found and opened in a
// period, closed in it, and open and overdue now.
type unitRects struct {
	UnitOpen
	findings, opened, closed int
}

// Overview is the open rectification items by unit, the most overdue
// first, and their totals, for the dashboard.
type Overview struct {
	Open    int        `json:"open"`
	Overdue int        `json:"overdue"`
	ByUnit  []UnitOpen `json:"by_unit"`
}

// Overview counts the items not closed, and the overdue ones among them,
// per unit as of today.
func (s *Service) Overview(ctx context.Context) (Overview, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return Overview{}, err
	}
	by := map[int64]*unitRects{}
	if err := openByUnit(ctx, s.DB.R, s.today(), by); err != nil {
		return Overview{}, err
	}
	o := Overview{ByUnit: []UnitOpen{}}
	for _, u := range sortedRects(by) {
		o.ByUnit = append(o.ByUnit, u.UnitOpen)
		o.Open += u.Open
		o.Overdue += u.Overdue
	}
	return o, nil
}

// openByUnit adds to by each unit's items not closed and, among them, those
// still waiting for the unit after their deadline (see Overdue).
func openByUnit(ctx context.Context, q db.Querier, today clock.Date, by map[int64]*unitRects) error {
	return counts(ctx, q, by, func(u *unitRects, n, m int) { u.Open, u.Overdue = n, m },
		`SELECT unit_id, count(*), SUM(CASE WHEN status IN ('open','returned') AND due_on < $1 THEN 1 ELSE 0 END)
		FROM rectifications WHERE status <> 'closed' GROUP BY unit_id`, today)
}

// counts runs a query of (unit, n, m) rows into by.
func counts(ctx context.Context, q db.Querier, by map[int64]*unitRects, set func(u *unitRects, n, m int), query string, args ...any) error {
	type row struct {
		unit int64
		n, m int
	}
	rows, err := db.All(ctx, q, func(sc db.Scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.unit, &r.n, &r.m)
	}, query, args...)
	for _, r := range rows {
		u := by[r.unit]
		if u == nil {
			u = &unitRects{UnitOpen: UnitOpen{UnitID: r.unit}}
			by[r.unit] = u
		}
		set(u, r.n, r.m)
	}
	return err
}

// sortedRects lists units the most overdue first, then the most open, then
// by id.
func sortedRects(by map[int64]*unitRects) []unitRects {
	out := make([]unitRects, 0, len(by))
	for _, u := range by {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Overdue != b.Overdue {
			return a.Overdue > b.Overdue
		}
		if a.Open != b.Open {
			return a.Open > b.Open
		}
		return a.UnitID < b.UnitID
	})
	return out
}

// BriefSections are the inspections' part of a meeting brief: per unit,
// the findings recorded and the items opened and closed since the previous
// meeting and the items open and overdue today; then every overdue item.
// With it the service is a meetings.SectionProvider.
func (s *Service) BriefSections(ctx context.Context, scope meetings.Scope) ([]meetings.Section, error) {
	if err := access.FromContext(ctx).Check(access.ViewInspections, 0); err != nil {
		return nil, err
	}
	names, err := meetings.UnitNames(ctx, s.DB.R, scope.Lang)
	if err != nil {
		return nil, err
	}
	from, to := scope.Since, scope.Before.AddDays(1) // days from ≤ d < to
	if from.IsZero() {
		from = clock.DateOf(1900, 1, 1)
	}
	by := map[int64]*unitRects{}
	err = counts(ctx, s.DB.R, by, func(u *unitRects, n, _ int) { u.findings = n },
		`SELECT unit_id, count(*), 0 FROM findings WHERE created_at >= $1 AND created_at < $2 GROUP BY unit_id`, from.Time(), to.Time())
	if err == nil {
		err = counts(ctx, s.DB.R, by, func(u *unitRects, n, _ int) { u.opened = n },
			`SELECT unit_id, count(*), 0 FROM rectifications WHERE created_at >= $1 AND created_at < $2 GROUP BY unit_id`, from.Time(), to.Time())
	}
	if err == nil {
		err = counts(ctx, s.DB.R, by, func(u *unitRects, n, _ int) { u.closed = n },
			`SELECT unit_id, count(*), 0 FROM rectifications WHERE closed_on >= $1 AND closed_on < $2 GROUP BY unit_id`, from, to)
	}
	today := s.today()
	if err == nil {
		err = openByUnit(ctx, s.DB.R, today, by)
	}
	if err != nil {
		return nil, err
	}
	t := func(key string, args ...any) string { return i18n.T(scope.Lang, key, args...) }
	units := meetings.Section{Title: t("inspect.brief.s_units"), Head: []string{t("inspect.ui.col.unit"), t("inspect.brief.col.findings"),
		t("inspect.brief.col.opened"), t("inspect.brief.col.closed"), t("inspect.brief.col.open"), t("inspect.brief.col.overdue")}}
	for _, u := range sortedRects(by) {
		units.Rows = append(units.Rows, []string{names[u.UnitID], itoa(int64(u.findings)), itoa(int64(u.opened)), itoa(int64(u.closed)),
			itoa(int64(u.Open)), itoa(int64(u.Overdue))})
	}
	late, err := db.All(ctx, s.DB.R, scanRect, `SELECT `+rectColumns+` FROM rectifications
		WHERE status IN ('open','returned') AND due_on < $1 ORDER BY due_on, id`, today)
	if err != nil {
		return nil, err
	}
	overdue := meetings.Section{Title: t("inspect.brief.s_overdue"), Head: []string{t("inspect.brief.col.no"), t("inspect.ui.col.unit"),
		t("inspect.ui.field.requirement"), t("inspect.ui.field.due_on"), t("inspect.ui.col.status"), t("inspect.ui.col.chase_level")}}
	for _, r := range late {
		chased := ""
		if r.ChaseLevel > 0 {
			chased = t("inspect.ui.step.rectification.chase." + strconv.Itoa(r.ChaseLevel))
		}
		overdue.Rows = append(overdue.Rows, []string{"#" + itoa(r.ID), names[r.UnitID], r.Requirement, r.DueOn.String(),
			t("rectification.status." + string(r.Status)), chased})
	}
	return []meetings.Section{units, overdue}, nil
}
