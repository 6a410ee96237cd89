package planio

import (
	"context"
	"io"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/i18n"
	"concord/internal/plans"
	"concord/internal/sheet"
)

// reportSpec is a unit's report workbook: one row per open report. The
// report id and version say which report and which state of it the unit
// filled in; the task and period columns are there to read, not to change.
func reportSpec() sheet.TableSpec {
	var status []sheet.Option
	for _, st := range plans.SelfStatuses {
		status = append(status, sheet.Option{Value: string(st), Label: "self_status." + string(st)})
	}
	return sheet.TableSpec{Sheet: "planio.sheet.reports", Columns: []sheet.Column{
		column("report_id", sheet.Int, true, 8),
		column("version", sheet.Int, true, 6),
		column("code", sheet.Text, false, 14),
		column("title", sheet.Text, false, 30),
		column("period_end", sheet.Date, false, 12),
		column("report_due", sheet.Date, false, 12),
		column("state", sheet.Text, false, 10),
		column("return_reason", sheet.Text, false, 24),
		column("percent", sheet.Percent, false, 8),
		{Key: "self_status", Label: "planio.col.self_status", Type: sheet.Choice, Options: status, Width: 12},
		column("narrative", sheet.Text, false, 40),
		column("problems", sheet.Text, false, 30),
		column("help_needed", sheet.Text, false, 30),
		column("next_steps", sheet.Text, false, 30),
		column("submit", sheet.Bool, false, 8),
	}}
}

// ReportTemplate writes unit's open reports (to write, drafts and returned
// ones) as a workbook in lang, to fill in offline.
func (s *Service) ReportTemplate(ctx context.Context, w io.Writer, lang string, unitID int64) error {
	if err := access.FromContext(ctx).Check(access.ReportProgress, unitID); err != nil {
		return err
	}
	t, err := template(lang, "planio.reports.howto", 4)
	if err != nil {
		return err
	}
	tw, err := t.AddTable(reportSpec(), nil)
	if err != nil {
		return err
	}
	for offset := 0; ; offset += 500 {
		rs, total, err := s.Plans.ListReports(ctx, plans.ReportFilter{UnitID: unitID, States: []plans.ReportState{plans.Pending, plans.Drafted, plans.Returned},
			DueTo: clock.Today(s.Plans.Clock).AddDays(60), Limit: 500, Offset: offset})
		if err != nil {
			return err
		}
		for _, r := range rs {
			row := map[string]any{"report_id": r.ID, "version": r.Version, "code": r.TaskCode, "title": r.TaskTitle,
				"period_end": r.PeriodEnd.Time(), "report_due": r.DueOn.Time(), "state": i18n.T(lang, "report.state."+string(r.State)),
				"return_reason": r.ReturnReason, "narrative": r.Narrative, "problems": r.Problems, "help_needed": r.HelpNeeded,
				"next_steps": r.NextSteps, "submit": false}
			if r.Percent != nil {
				row["percent"] = *r.Percent
			}
			if r.SelfStatus != "" {
				row["self_status"] = string(r.SelfStatus)
			}
			if err := tw.Append(row); err != nil {
				return err
			}
		}
		if offset+len(rs) >= total {
			break
		}
	}
	return t.Write(w)
}

// ImportReports saves (or, where the row says so, submits) the reports in
// a filled report workbook, all or nothing.
func (s *Service) ImportReports(ctx context.Context, r io.Reader, f Format, commit bool) (Preview, error) {
	tbl, err := read(r, f, reportSpec())
	if err != nil {
		return Preview{}, err
	}
	pv := Preview{Problems: tbl.Problems}
	var rows []plans.ReportImport
	byRow := map[int]sheet.Row{}
	for _, row := range tbl.Rows {
		id, okID := row.Int("report_id")
		version, okV := row.Int("version")
		if !okID || !okV {
			continue // the reader has said why
		}
		in := plans.ReportInput{SelfStatus: plans.SelfStatus(row.Text("self_status")), Narrative: row.Text("narrative"),
			Problems: row.Text("problems"), HelpNeeded: row.Text("help_needed"), NextSteps: row.Text("next_steps")}
		if p, ok := row.Float("percent"); ok {
			in.Percent = &p
		}
		submit, _ := row.Bool("submit")
		rows = append(rows, plans.ReportImport{Row: row.Num, ID: id, Version: int(version), Input: in, Submit: submit})
		byRow[row.Num] = row
	}
	res, err := s.Plans.ImportReports(ctx, rows, commit && len(pv.Problems) == 0)
	if err != nil {
		return pv, err
	}
	for _, re := range res.Errors {
		pv.Problems.Add(rowProblems(byRow[re.Row], re.Err, func(field string) string { return field })...)
	}
	pv.Rows, pv.Committed = res.Rows, res.Committed
	pv.Problems.Sort()
	return pv, nil
}
