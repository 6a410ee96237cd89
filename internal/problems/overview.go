package problems

import (
	"context"
	"strconv"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/i18n"
	"concord/internal/meetings"
)

// Overview is the open problems for the dashboard: how many wait at each
// step, how many are on a meeting's agenda, how many passed their deadline.
type Overview struct {
	Open      int            `json:"open"`
	ByStatus  map[Status]int `json:"by_status"`
	Escalated int            `json:"escalated"`
	Overdue   int            `json:"overdue"` // assigned, not answered by the deadline
}

// OpenStatuses are the steps of a problem not yet solved or rejected.
var OpenStatuses = []Status{Raised, Assigned, Responded}

// Overview counts the open problems as of today.
func (s *Service) Overview(ctx context.Context) (Overview, error) {
	if err := access.FromContext(ctx).Check(access.ViewProblems, 0); err != nil {
		return Overview{}, err
	}
	o := Overview{ByStatus: map[Status]int{}}
	type row struct {
		status             Status
		n, escalated, late int
	}
	rows, err := db.All(ctx, s.DB.R, func(sc db.Scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.status, &r.n, &r.escalated, &r.late)
	}, `SELECT status, count(*), SUM(CASE WHEN escalated THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'assigned' AND due_on < $1 THEN 1 ELSE 0 END)
		FROM problems WHERE status NOT IN ('solved','rejected') GROUP BY status`, clock.Today(s.Clock))
	for _, r := range rows {
		o.ByStatus[r.status] = r.n
		o.Open += r.n
		o.Escalated += r.escalated
		o.Overdue += r.late
	}
	return o, err
}

// BriefSections are the problem list's part of a meeting brief: the
// problems still open, those put to a meeting first, and those put to a
// meeting that were settled since the previous one. With it the service is
// a meetings.SectionProvider.
func (s *Service) BriefSections(ctx context.Context, scope meetings.Scope) ([]meetings.Section, error) {
	if err := access.FromContext(ctx).Check(access.ViewProblems, 0); err != nil {
		return nil, err
	}
	names, err := meetings.UnitNames(ctx, s.DB.R, scope.Lang)
	if err != nil {
		return nil, err
	}
	from := scope.Since
	if from.IsZero() {
		from = clock.DateOf(1900, 1, 1)
	}
	list, err := db.All(ctx, s.DB.R, scan, `SELECT `+columns+` FROM problems
		WHERE status NOT IN ('solved','rejected') OR escalated AND updated_at >= $1
		ORDER BY CASE WHEN escalated THEN 0 ELSE 1 END, id`, from.Time())
	if err != nil {
		return nil, err
	}
	t := func(key string, args ...any) string { return i18n.T(scope.Lang, key, args...) }
	sec := meetings.Section{Title: t("problems.brief.s_problems"), Head: []string{t("problems.brief.col.no"), t("problems.ui.field.title"),
		t("problems.ui.col.raised_by"), t("problems.ui.field.handling_unit"), t("problems.ui.field.due_on"), t("problems.ui.col.status"), t("problems.ui.escalation")}}
	for _, p := range list {
		handler, due := "", ""
		if p.HandlingUnitID != nil {
			handler = names[*p.HandlingUnitID]
		}
		if p.DueOn != nil {
			due = p.DueOn.String()
		}
		status := t("problem.status." + string(p.Status))
		if p.Reopened > 0 {
			status += " · " + t("problems.ui.reopened", p.Reopened)
		}
		sec.Rows = append(sec.Rows, []string{"#" + strconv.FormatInt(p.ID, 10), p.Title, names[p.RaisedByUnitID], handler, due, status, p.EscalationReason})
	}
	return []meetings.Section{sec}, nil
}
