package web

import (
	"bytes"
	"math"
	"net/http"
	"strings"
	"time"

	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/errs"
	"concord/internal/waterstore"
)

// waterPeriod reads ?period= (waterstore.ParsePeriod); without one, the
// year so far to the last complete month (last year's in January).
func waterPeriod(r *http.Request) (waterstore.Period, string, error) {
	q := strings.TrimSpace(r.URL.Query().Get("period"))
	if q == "" {
		last := lastMonth()
		q = waterstore.MonthString(last/100*100+1) + ".." + waterstore.MonthString(last)
		if last%100 == 1 {
			q = waterstore.MonthString(last)
		}
	}
	p, err := waterstore.ParsePeriod(q)
	if err != nil {
		var v errs.Validation
		v.Add("period", "error.water.period", q)
		return p, q, v.Err()
	}
	return p, q, nil
}

// waterMonth reads ?month=YYYY-MM; without one, the last complete month.
func waterMonth(r *http.Request) (int, string, error) {
	q := strings.TrimSpace(r.URL.Query().Get("month"))
	if q == "" {
		m := lastMonth()
		return m, waterstore.MonthString(m), nil
	}
	p, err := waterstore.ParsePeriod(q)
	if err != nil || p.From != p.To || len(q) != len("2006-01") {
		var v errs.Validation
		v.Add("month", "error.water.month", q)
		return 0, q, v.Err()
	}
	return p.From, q, nil
}

// lastMonth is the month before this one in China Standard Time, yyyymm.
func lastMonth() int {
	now := clock.System.Now().In(time.FixedZone("CST", 8*3600))
	return waterstore.AddMonths(now.Year()*100+int(now.Month()), -1)
}

func (s *Server) apiWaterBoundary(w http.ResponseWriter, r *http.Request) {
	p, _, err := waterPeriod(r)
	var rep waterstore.BoundaryReport
	if err == nil {
		rep, err = s.WaterAccount.Water.Boundary(r.Context(), p, langOf(r))
	}
	respond(s, w, r, rep, 0, err)
}

// exportWaterBoundary sends the cross-boundary table as CSV or XLSX
// (?format), the arithmetic of each compensation in its own column.
func (s *Server) exportWaterBoundary(w http.ResponseWriter, r *http.Request) {
	p, q, err := waterPeriod(r)
	var rep waterstore.BoundaryReport
	if err == nil {
		rep, err = s.WaterAccount.Water.Boundary(r.Context(), p, langOf(r))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := langOf(r)
	t := func(key string, args ...any) string { return pageData{Lang: lang}.T(key, args...) }
	heads := []string{"wateraccount.col.month", "wateraccount.col.code", "wateraccount.col.section", "wateraccount.col.water", "wateraccount.col.kind",
		"wateraccount.col.stem", "wateraccount.col.upstream", "wateraccount.col.downstream", "wateraccount.col.target", "wateraccount.col.class",
		"wateraccount.col.meets", "wateraccount.col.exceeding", "wateraccount.col.responsible", "wateraccount.col.payer", "wateraccount.col.payee",
		"wateraccount.col.amount", "wateraccount.col.arithmetic"}
	headers := make([]string, len(heads))
	for i, h := range heads {
		headers[i] = t(h)
	}
	s.writeTable(w, r, table{name: "water-boundary", headers: headers, rows: func(emit func([]any) error) error {
		for _, b := range rep.Rows {
			row := boundaryRow(b, lang)
			if err := emit([]any{b.Month, b.Code, b.Section, b.Water, row.Kind, row.Stem, b.Upstream, b.Downstream, row.Target, row.Class,
				row.Compliant, row.Exceeding, b.Responsible, b.Payer, b.Payee, int64(math.Round(b.Amount)), b.Arithmetic}); err != nil {
				return err
			}
		}
		return nil
	}}, q)
}

func (s *Server) apiWaterScheme(w http.ResponseWriter, r *http.Request) {
	sc, err := s.WaterAccount.Water.Scheme(r.Context())
	respond(s, w, r, sc, sc.Version, err)
}

// schemeBody is what a client sends to change the scheme: its settings
// without the version (If-Match carries it) and time of change.
type schemeBody struct {
	Name              string  `json:"name"`
	PerClassMain      float64 `json:"per_class_main"`
	PerClassTributary float64 `json:"per_class_tributary"`
	PerMultiple       float64 `json:"per_multiple"`
	Province          string  `json:"province"`
	LateRate          float64 `json:"late_rate"`
	DueMonth          int     `json:"due_month"`
}

func (s *Server) apiUpdateWaterScheme(w http.ResponseWriter, r *http.Request) {
	var in schemeBody
	err := decode(r, &in)
	var version int
	if err == nil {
		version, err = ifMatch(r)
	}
	var out waterstore.SchemeSettings
	if err == nil {
		out, err = s.WaterAccount.Water.UpdateScheme(r.Context(), waterstore.SchemeSettings{Name: in.Name, PerClassMain: in.PerClassMain,
			PerClassTributary: in.PerClassTributary, PerMultiple: in.PerMultiple, Province: in.Province, LateRate: in.LateRate, DueMonth: in.DueMonth}, version)
	}
	respond(s, w, r, out, out.Version, err)
}

func (s *Server) apiWaterBrief(w http.ResponseWriter, r *http.Request) {
	m, _, err := waterMonth(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := s.WaterAccount.Brief(r.Context(), m, langOf(r))
	respond(s, w, r, b, 0, err)
}

// downloadWaterBrief sends the brief as ?format: html (a print-ready page
// of its own), pdf (through Chromium), docx or xlsx (its tables).
func (s *Server) downloadWaterBrief(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	m, q, err := waterMonth(r)
	var buf bytes.Buffer
	if err == nil {
		var b waterBrief
		b, err = s.WaterAccount.Brief(r.Context(), m, langOf(r))
		if err == nil {
			err = b.Document.Write(r.Context(), &buf, format)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendDownload(w, "water-brief-"+q+"."+format, bulletin.Formats[format], buf.Bytes())
}
