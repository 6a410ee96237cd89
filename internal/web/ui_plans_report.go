package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/i18n"
	"concord/internal/plans"
)

// reportShows are the report list's views: every open report, the missing
// ones (due and not submitted), the returned ones, those awaiting review.
var reportShows = []string{"missing", "returned", "review"}

func reportFilter(q *formIn) plans.ReportFilter {
	f := plans.ReportFilter{UnitID: q.id("unit_id"), TaskID: q.id("task_id")}
	switch q.text("show") {
	case "":
	case "missing":
		f.Missing = true
	case "returned":
		f.States = []plans.ReportState{plans.Returned}
	case "review":
		f.States = []plans.ReportState{plans.Submitted, plans.Approved}
	default:
		q.v.Add("show", "error.choice")
	}
	return f
}

type reportsData struct {
	listData
	Reports []plans.ReportRow
	Today   clock.Date
}

// ReportShows are the report list's views, to choose from.
func (p pageData) ReportShows() []option {
	out := make([]option, len(reportShows))
	for i, v := range reportShows {
		out[i] = option{v, p.T("plans.ui.reports.show." + v)}
	}
	return out
}

// ReportFilters is the report list's filter form.
func (p pageData) ReportFilters(d *reportsData) template.HTML {
	l := &d.listData
	return p.filterForm(l,
		p.filter(l, "show", "plans.ui.field.show").Pick(p.ReportShows()),
		p.filter(l, "unit_id", "plans.ui.col.unit").Pick(d.UnitChoices()))
}

func (s *Server) reportsPage(r *http.Request, f form) (string, pageData, error) {
	d := &reportsData{listData: listData{Page: "reports"}, Today: clock.Today(s.Plans.Clock)}
	return s.listPage(r, f, &d.listData, d, func(q *formIn, pg page) (total int, err error) {
		filter := reportFilter(q)
		filter.Limit, filter.Offset = pg.PerPage, pg.offset()
		if err = q.err(); err == nil {
			d.Reports, total, err = s.Plans.ListReports(r.Context(), filter)
		}
		return total, err
	})
}

// exportReports writes the filtered report list.
func (s *Server) exportReports(w http.ResponseWriter, r *http.Request) {
	cols := []string{"task_code", "task", "unit", "period_start", "period_end", "due_on", "state", "timeliness", "percent", "self_status", "submitted_at", "return_reason"}
	s.exportList(w, r, "reports", cols, func(q *formIn, dir *directory) (rowStream, error) {
		filter, today, lang := reportFilter(q), clock.Today(s.Plans.Clock), dir.lang
		return func(emit func([]any) error) error {
			const batch = 1000
			for filter.Offset = 0; ; filter.Offset += batch {
				filter.Limit = batch
				rows, _, err := s.Plans.ListReports(r.Context(), filter)
				if err != nil {
					return err
				}
				for _, rr := range rows {
					percent, self, submitted := "", "", ""
					if rr.Percent != nil {
						percent = strconv.FormatFloat(*rr.Percent, 'f', -1, 64)
					}
					if rr.SelfStatus != "" {
						self = i18n.T(lang, "self_status."+string(rr.SelfStatus))
					}
					if rr.SubmittedAt != nil {
						submitted = rr.SubmittedAt.In(cst).Format("2006-01-02 15:04")
					}
					err := emit([]any{rr.TaskCode, rr.TaskTitle, dir.Unit(rr.UnitID), rr.PeriodStart.String(), rr.PeriodEnd.String(), rr.DueOn.String(),
						i18n.T(lang, "report.state."+string(rr.State)), i18n.T(lang, "plans.ui.timely."+timeliness(rr.Report, today)), percent, self, submitted, rr.ReturnReason})
					if err != nil {
						return err
					}
				}
				if len(rows) < batch {
					return nil
				}
			}
		}, nil
	})
}

// timeliness says whether a report came on time, late, is overdue
// (missing) or not yet due.
func timeliness(r plans.Report, today clock.Date) string {
	switch {
	case r.OnTime != nil && *r.OnTime:
		return "on_time"
	case r.OnTime != nil:
		return "late"
	case r.Late(today):
		return "missing"
	}
	return "not_due"
}

type reportData struct {
	*directory
	Report plans.Report
	Task   plans.Task
	Files  []plans.Attachment
	Values url.Values // the report as its form shows it
	Today  clock.Date
	// What the viewer may do with the report now.
	Edit, Approve, Accept, Return, SendBack bool
}

// Timely says whether the report came on time, late, or is missing.
func (d *reportData) Timely() string { return timeliness(d.Report, d.Today) }

func (s *Server) reportPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &reportData{Today: clock.Today(s.Plans.Clock)}
	p := s.newPage(r, "plans.ui.page.report", d)
	p.Form = f
	id, err := pathID(r, "id")
	if err != nil {
		return "", p, err
	}
	if d.Report, err = s.Plans.Report(ctx, id); err != nil {
		return "", p, err
	}
	rep := d.Report
	if d.Task, err = s.Plans.Task(ctx, rep.TaskID); err != nil {
		return "", p, err
	}
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	p.Title = p.T("plans.ui.report.title", d.Task.Code, d.Unit(rep.UnitID), rep.PeriodEnd.String())
	if d.Files, err = s.Plans.Attachments(ctx, "report", id); err != nil {
		return "", p, err
	}
	set, err := s.Plans.Settings(ctx)
	if err != nil {
		return "", p, err
	}
	a := actorOf(r)
	live := d.Task.Status == plans.TaskActive || d.Task.Status == plans.TaskFiled
	review := live && (rep.State == plans.Submitted || rep.State == plans.Approved) && a.Can(access.ReviewReport, rep.UnitID)
	d.Edit = live && rep.Editable() && a.Can(access.ReportProgress, rep.UnitID)
	d.Approve = live && rep.State == plans.Submitted && set.LeaderApproval && a.Can(access.ApproveReport, rep.UnitID)
	d.Accept = review && (rep.State == plans.Approved || !set.LeaderApproval)
	d.Return = review
	d.SendBack = live && rep.State == plans.Submitted && !review && a.Can(access.ApproveReport, rep.UnitID)
	d.Values = url.Values{"self_status": {string(rep.SelfStatus)}, "narrative": {rep.Narrative}, "problems": {rep.Problems},
		"help_needed": {rep.HelpNeeded}, "next_steps": {rep.NextSteps}}
	if rep.Percent != nil {
		d.Values.Set("percent", strconv.FormatFloat(*rep.Percent, 'f', -1, 64))
	}
	return "report", p, nil
}

// writeReport saves the unit's report, or submits it when the submit
// button was pressed, with its evidence files in the same step.
func (s *Server) writeReport(ctx context.Context, id int64, f *formIn) error {
	in := plans.ReportInput{Percent: f.number("percent"), SelfStatus: plans.SelfStatus(f.text("self_status")), Narrative: f.text("narrative"),
		Problems: f.text("problems"), HelpNeeded: f.text("help_needed"), NextSteps: f.text("next_steps")}
	if err := f.err(); err != nil {
		return err
	}
	var err error
	if in.Files, err = formFiles(f); err != nil {
		return err
	}
	if f.text("action") == "submit" {
		_, err = s.Plans.SubmitReport(ctx, id, in, f.version())
	} else {
		_, err = s.Plans.SaveReport(ctx, id, in, f.version())
	}
	return asFileField(err)
}
