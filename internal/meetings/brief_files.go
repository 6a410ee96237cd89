package meetings

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"concord/internal/plans"
	"concord/internal/sheet"
)

// Tables are the brief's tables for a workbook, a sheet each, named by the
// brief's headings: the decisions one by one, the tallies by lead unit and
// by area, the plans, then every section the providers added. tr gives the
// text for a catalogue key in the brief's language.
func (b Brief) Tables(tr func(key string, args ...any) string) []sheet.Tab {
	status := func(st DecisionStatus) string { return tr("meeting.decision.status." + string(st)) }
	pct := func(f float64) string { return strconv.Itoa(int(f + 0.5)) }
	dec := sheet.Tab{Sheet: tr("meeting.brief.s_decisions"), Head: []string{tr("meeting.col.no"), tr("meeting.col.meeting"), tr("meeting.col.decision"),
		tr("meeting.col.lead_unit"), tr("meeting.col.area"), tr("meeting.col.due_on"), tr("meeting.col.status"), tr("meeting.col.tasks")}}
	for i, d := range b.Decisions {
		var tasks []string
		for _, t := range d.Tasks {
			tasks = append(tasks, fmt.Sprintf("%s %s · %s · %s · %s%% · %s", t.Code, t.Title, t.LeadUnit, tr("light."+string(t.Light)), pct(t.Progress), t.DueOn))
		}
		if len(tasks) == 0 {
			tasks = []string{tr("meeting.brief.no_task")}
		}
		dec.Rows = append(dec.Rows, []string{strconv.Itoa(i + 1), d.MeetingTitle + " " + d.HeldOn.String(), d.Text, d.LeadUnit, d.Area,
			d.DueOn.String(), status(d.Status), strings.Join(tasks, "\n")})
	}
	tallies := func(title, first string, rows []Tally) sheet.Tab {
		t := sheet.Tab{Sheet: title, Head: []string{first, tr("meeting.col.total")}}
		for _, st := range DecisionStatuses {
			t.Head = append(t.Head, status(st))
		}
		for _, r := range rows {
			row := []string{r.Name, strconv.Itoa(r.Total)}
			for _, st := range DecisionStatuses {
				row = append(row, strconv.Itoa(r.Counts[st]))
			}
			t.Rows = append(t.Rows, row)
		}
		return t
	}
	ps := sheet.Tab{Sheet: tr("meeting.brief.s_plans"), Head: []string{tr("meeting.col.plan"), tr("meeting.col.total")}}
	for _, l := range plans.Lights {
		ps.Head = append(ps.Head, tr("light."+string(l)))
	}
	ps.Head = append(ps.Head, tr("meeting.col.progress"))
	for _, p := range b.Plans {
		row := []string{p.Code + " " + p.Name, strconv.Itoa(p.Counts.Total)}
		for _, l := range plans.Lights {
			row = append(row, strconv.Itoa(p.Counts.Counts[l]))
		}
		ps.Rows = append(ps.Rows, append(row, pct(p.Counts.Progress)+"%"))
	}
	out := []sheet.Tab{dec, tallies(tr("meeting.brief.s_units"), tr("meeting.col.unit"), b.ByUnit),
		tallies(tr("meeting.brief.s_areas"), tr("meeting.col.area"), b.ByArea), ps}
	for _, s := range b.Sections {
		out = append(out, sheet.Tab{Sheet: s.Title, Head: s.Head, Rows: s.Rows})
	}
	return out
}

// XLSX writes the brief's tables as a workbook.
func (b Brief) XLSX(w io.Writer, tr func(key string, args ...any) string) error {
	return sheet.WriteTables(w, tr("meeting.brief.title"), b.Tables(tr))
}

var briefPage = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
@page { size: A4; margin: 25mm 20mm; }
body { font-family: "FangSong", "STFangsong", "Songti SC", serif; font-size: 12pt; line-height: 1.6; margin: 0 auto; max-width: 180mm; }
h2 { text-align: center; font-size: 20pt; }
header p { text-align: center; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: top; font-size: 10.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
</style>
</head>
<body>
{{.Body}}
</body>
</html>
`))

// Page writes the brief as a whole print-ready HTML page: the fragment HTML
// writes, with its title and A4 print layout.
func (b Brief) Page(w io.Writer, tr func(key string, args ...any) string) error {
	var body bytes.Buffer
	if err := b.HTML(&body, tr); err != nil {
		return err
	}
	return briefPage.Execute(w, struct {
		Lang, Title string
		Body        template.HTML // the brief's own template escaped every value
	}{b.Lang, tr("meeting.brief.title") + " · " + b.Meeting.Title, template.HTML(body.String())})
}
