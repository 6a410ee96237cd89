package web

import (
	"net/http"
	"time"

	"concord/internal/i18n"
	"concord/internal/plans"
)

func reportVersion(r plans.Report) int { return r.Version }

// reportStateValues are the values of the state filter.
var reportStateValues = []plans.ReportState{plans.Pending, plans.Drafted, plans.Submitted, plans.Approved, plans.Accepted, plans.Returned}

// apiReportFilter reads the report list's filters; p gives the page (none for
// an export).
func apiReportFilter(r *http.Request, p page) (plans.ReportFilter, error) {
	q := filtersOf(r)
	f := plans.ReportFilter{UnitID: q.id("unit_id"), TaskID: q.id("task_id"), States: someOf(q, "state", reportStateValues),
		Missing: q.flag("missing"), DueTo: q.date("due_to"), Limit: p.PerPage, Offset: p.offset()}
	return f, q.v.Err()
}

func (s *Server) apiReports(w http.ResponseWriter, r *http.Request) {
	listOrExport(s, w, r, apiReportFilter, s.Plans.ListReports, s.apiExportReports)
}

// reportExportPage is how many reports an export reads at a time: the service
// lists reports a page at a time only, at most this many.
const reportExportPage = 1000

func (s *Server) apiExportReports(w http.ResponseWriter, r *http.Request) {
	ctx, lang := r.Context(), langOf(r)
	f, err := apiReportFilter(r, page{})
	var units map[int64]string
	if err == nil {
		units, _, err = s.unitAreaNames(ctx, lang)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	headers := exportHeaders(lang, "report", "id", "task_code", "task_title", "unit", "period_start", "period_end", "due_on", "state", "percent",
		"self_status", "narrative", "problems", "help_needed", "next_steps", "submitted_at", "submitted_by", "returns")
	s.writeTable(w, r, table{name: "reports", headers: headers, rows: func(emit func([]any) error) error {
		f.Limit = reportExportPage
		for {
			rs, total, err := s.Plans.ListReports(ctx, f)
			if err != nil {
				return err
			}
			for _, rr := range rs {
				if err := emit(reportCells(lang, units, rr)); err != nil {
					return err
				}
			}
			if f.Offset += len(rs); len(rs) == 0 || f.Offset >= total {
				return nil
			}
		}
	}}, r.URL.RawQuery)
}

// reportCells is one report's row of an export, with empty cells for what
// is not written yet.
func reportCells(lang string, units map[int64]string, rr plans.ReportRow) []any {
	var percent any = ""
	if rr.Percent != nil {
		percent = *rr.Percent
	}
	self, submitted := "", ""
	if rr.SelfStatus != "" {
		self = i18n.T(lang, "self_status."+string(rr.SelfStatus))
	}
	if rr.SubmittedAt != nil {
		submitted = rr.SubmittedAt.Format(time.RFC3339)
	}
	return []any{rr.ID, rr.TaskCode, rr.TaskTitle, units[rr.UnitID], rr.PeriodStart.String(), rr.PeriodEnd.String(), rr.DueOn.String(),
		i18n.T(lang, "report.state."+string(rr.State)), percent, self, rr.Narrative, rr.Problems, rr.HelpNeeded, rr.NextSteps,
		submitted, rr.SubmittedBy, rr.Returns}
}

// reportJSON is a report with its evidence files.
type reportJSON struct {
	plans.Report
	Attachments []plans.Attachment `json:"attachments"`
}

func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (reportJSON, error) {
		rep, err := s.Plans.Report(r.Context(), id)
		if err != nil {
			return reportJSON{}, err
		}
		as, err := s.Plans.Attachments(r.Context(), "report", id)
		return reportJSON{rep, as}, err
	}, func(d reportJSON) int { return d.Version })
}

// The review moves: each answers with the report as it now stands.

func (s *Server) apiSaveReport(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Plans.SaveReport, reportVersion)
}

func (s *Server) apiSubmitReport(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Plans.SubmitReport, reportVersion)
}

func (s *Server) apiApproveReport(w http.ResponseWriter, r *http.Request) {
	moveBy(s, w, r, s.Plans.ApproveReport, reportVersion)
}

func (s *Server) apiAcceptReport(w http.ResponseWriter, r *http.Request) {
	moveBy(s, w, r, s.Plans.AcceptReport, reportVersion)
}

func (s *Server) apiReturnReport(w http.ResponseWriter, r *http.Request) {
	updateReason(s, w, r, s.Plans.ReturnReport, reportVersion)
}
