package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"concord/internal/inspect"
	"concord/internal/water"
	"concord/internal/wateraccount"
	"concord/internal/waterstore"
)

type waterBrief = wateraccount.Brief

// boundaryLabels are a cross-boundary row's values as the table shows them.
type boundaryLabels struct {
	waterstore.BoundaryMonth
	Kind, Stem, Target, Class, Compliant, Exceeding string
}

func boundaryRow(b waterstore.BoundaryMonth, lang string) boundaryLabels {
	p := pageData{Lang: lang}
	std := water.GB3838
	out := boundaryLabels{BoundaryMonth: b, Kind: p.T("waterstore.boundary." + string(b.Kind)), Target: std.ClassName(b.Target)}
	if b.Stem != "" {
		out.Stem = p.T("waterstore.stem." + string(b.Stem))
	}
	if !b.Assessed {
		out.Class, out.Compliant = p.T("wateraccount.ui.no_data"), "—"
		return out
	}
	out.Class = std.ClassName(b.Class)
	out.Compliant = p.T("wateraccount.ui.compliant." + strconv.FormatBool(b.Compliant))
	labels := make([]string, len(b.Exceeding))
	for i, e := range b.Exceeding {
		labels[i] = e.Label(std)
	}
	out.Exceeding = strings.Join(labels, "、")
	return out
}

// ---- the cross-boundary table ----

type waterBoundaryData struct {
	Period  string
	Report  waterstore.BoundaryReport
	Rows    []boundaryLabels
	Query   url.Values
	Formats []string
}

// Total is the period's compensation, in yuan with separators.
func (d *waterBoundaryData) Total() string { return wateraccount.Yuan(d.Report.Total) }

// Yuan writes an amount with separators.
func (d *waterBoundaryData) Yuan(v float64) string { return wateraccount.Yuan(v) }

func (s *Server) waterBoundaryPage(r *http.Request, f form) (string, pageData, error) {
	d := &waterBoundaryData{Formats: []string{"csv", "xlsx"}}
	p := s.newPage(r, "wateraccount.ui.page.boundary", d)
	p.Form = f
	period, q, err := waterPeriod(r)
	d.Period, d.Query = q, url.Values{"period": {q}}
	if err != nil {
		if ff, ok := s.refused(r, err, "filter", d.Query); ok {
			p.Form = ff
			return "water_boundary", p, nil
		}
		return "", p, err
	}
	if d.Report, err = s.WaterAccount.Water.Boundary(r.Context(), period, p.Lang); err != nil {
		return "", p, err
	}
	for _, b := range d.Report.Rows {
		d.Rows = append(d.Rows, boundaryRow(b, p.Lang))
	}
	return "water_boundary", p, nil
}

// ---- the compensation scheme ----

type waterSchemeData struct {
	Scheme waterstore.SchemeSettings
	Values url.Values
}

func (s *Server) waterSchemePage(r *http.Request, f form) (string, pageData, error) {
	d := &waterSchemeData{}
	p := s.newPage(r, "wateraccount.ui.page.scheme", d)
	p.Form = f
	var err error
	if d.Scheme, err = s.WaterAccount.Water.Scheme(r.Context()); err != nil {
		return "", p, err
	}
	sc := d.Scheme
	num := func(v float64) []string { return []string{strconv.FormatFloat(v, 'f', -1, 64)} }
	d.Values = url.Values{"name": {sc.Name}, "per_class_main": num(sc.PerClassMain), "per_class_tributary": num(sc.PerClassTributary),
		"per_multiple": num(sc.PerMultiple), "province": {sc.Province}, "late_rate": num(sc.LateRate), "due_month": {strconv.Itoa(sc.DueMonth)}}
	return "water_boundary_scheme", p, nil
}

// SchemeNumbers are the scheme's numeric fields, in the form's order.
func (d *waterSchemeData) SchemeNumbers() []string {
	return []string{"per_class_main", "per_class_tributary", "per_multiple", "late_rate", "due_month"}
}

func (s *Server) submitWaterScheme(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	in := waterstore.SchemeSettings{Name: f.text("name"), Province: f.text("province"), PerClassMain: f.float("per_class_main"),
		PerClassTributary: f.float("per_class_tributary"), PerMultiple: f.float("per_multiple"), LateRate: f.float("late_rate"),
		DueMonth: f.int("due_month")}
	err := f.err()
	if err == nil {
		_, err = s.WaterAccount.Water.UpdateScheme(r.Context(), in, f.version())
	}
	s.finish(w, r, err, "scheme", s.waterSchemePage, "/water/boundary/scheme")
}

// ---- the monthly brief ----

type waterBriefData struct {
	Month   string
	Brief   waterBrief
	Body    template.HTML
	Chart   chart
	Formats []string
}

// Chromium reports whether PDFs can be printed on this server.
func (d *waterBriefData) Chromium() bool { return (&bulletinData{}).Chromium() }

func (s *Server) waterBriefPage(r *http.Request, f form) (string, pageData, error) {
	d := &waterBriefData{Formats: []string{"html", "pdf", "docx", "xlsx"}}
	p := s.newPage(r, "wateraccount.ui.page.brief", d)
	p.Form = f
	m, q, err := waterMonth(r)
	d.Month = q
	if err != nil {
		if ff, ok := s.refused(r, err, "filter", url.Values{"month": {q}}); ok {
			p.Form = ff
			return "water_brief", p, nil
		}
		return "", p, err
	}
	if d.Brief, err = s.WaterAccount.Brief(r.Context(), m, p.Lang); err != nil {
		return "", p, err
	}
	p.Title = d.Brief.Document.Title
	var buf bytes.Buffer
	if err := d.Brief.Document.Article(&buf); err != nil {
		return "", p, err
	}
	// The article comes from the bulletin's template, which escapes every value.
	d.Body = template.HTML(buf.String())
	d.Chart = newChart(p, "water-trend-chart", "wateraccount.ui.chart.trend", "line", p.T("wateraccount.col.month"), p.T("wateraccount.col.share"))
	labels, values := []string{}, []any{}
	for _, t := range d.Brief.Trend {
		if t.Assessed == 0 {
			continue
		}
		labels, values = append(labels, t.Month), append(values, t.Share)
		d.Chart.Rows = append(d.Chart.Rows, chartRow{Label: t.Month, Cells: []any{water.Num(t.Share) + "%"}})
	}
	d.Chart.Spec["labels"], d.Chart.Spec["values"] = labels, values
	return "water_brief", p, nil
}

// waterSource is a rectification item's water source as its page shows it.
type waterSource struct {
	Station            waterstore.Station
	Kind, Months, Loop string
}

// WaterSource describes an item's water source: the station, the months
// off target and where its loop stands.
func (p pageData) WaterSource(src *inspect.WaterSource, st *waterstore.Station) waterSource {
	loop := p.T("wateraccount.ui.loop." + src.Loop)
	if src.Regained != "" {
		loop = p.T("wateraccount.ui.loop.regained_in", src.Regained)
	}
	return waterSource{Station: *st, Kind: p.T("wateraccount.ui.source"), Months: p.T("wateraccount.ui.months", strings.Join(src.Months, "、")), Loop: loop}
}
