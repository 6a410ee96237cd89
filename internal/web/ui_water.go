package web

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/water"
	"concord/internal/waterstore"
)

// The water-quality pages: the overview (map, city ranking, river, basin
// and sea-area grades), stations (list, page, forms, the stations file,
// push tokens), readings imports with progress, suspect values, the
// assessment and the stations × months matrix. Every table exports as CSV
// and XLSX (export.go).

func init() {
	enums["water_body"] = enumOf("waterstore.water_body.", water.WaterBodies...)
	enums["water_status"] = enumOf("waterstore.status.", waterstore.Active, waterstore.Suspended, waterstore.Retired)
	enums["water_boundary"] = enumOf("waterstore.boundary.", waterstore.CrossCity, waterstore.ProvinceEntry, waterstore.SeaEntry, waterstore.TributaryMouth)
	enums["water_stem"] = enumOf("waterstore.stem.", waterstore.MainStem, waterstore.Tributary)
}

// waterView is what every water page shares: the period chosen and the
// directory naming units.
type waterView struct {
	*directory
	Period     waterstore.Period
	PeriodText string
	Query      string // the page's query, for export links
}

// Periods are quick choices of period around now: last month, last
// quarter, this year, last year.
func (v *waterView) Periods() []option {
	now := time.Now().In(cst)
	last := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, cst)
	q := (int(now.Month())-1)/3 + 1
	lq, ly := q-1, now.Year()
	if lq == 0 {
		lq, ly = 4, ly-1
	}
	return []option{
		{last.Format("2006-01"), last.Format("2006-01")},
		{fmt.Sprintf("%dQ%d", ly, lq), fmt.Sprintf("%dQ%d", ly, lq)},
		{strconv.Itoa(now.Year()), strconv.Itoa(now.Year())},
		{strconv.Itoa(now.Year() - 1), strconv.Itoa(now.Year() - 1)},
	}
}

// ClassName writes a class for station st (Ⅰ–Ⅳ and 劣Ⅳ at sea points).
func (v *waterView) ClassName(st waterstore.Station, c water.Class) string {
	if c == water.NoClass {
		return "—"
	}
	if st.Body == water.Sea {
		return water.GB3097.ClassName(c)
	}
	return water.GB3838.ClassName(c)
}

// Target writes a station's target class.
func (v *waterView) Target(st waterstore.Station) string { return v.ClassName(st, st.Target) }

// UnitOf names a station's unit, "" when it has none.
func (v *waterView) UnitOf(id *int64) string {
	if id == nil {
		return ""
	}
	return v.Unit(*id)
}

// Month writes yyyymm as 2020-05.
func (*waterView) Month(m int) string { return fmt.Sprintf("%04d-%02d", m/100, m%100) }

// newWaterView reads ?period= from the request; a period that does not
// parse comes back on the page's filter form (422).
func (s *Server) newWaterView(r *http.Request, p *pageData) (*waterView, error) {
	dir, err := s.directory(r.Context(), p.Lang)
	if err != nil {
		return nil, err
	}
	q := readQuery(r)
	v := &waterView{directory: dir, Query: r.URL.RawQuery}
	v.Period, v.PeriodText = periodOf(q)
	if f, ok := s.refused(r, q.err(), "period", r.URL.Query()); ok {
		p.Form = f
		v.Period, _ = waterstore.ParsePeriod(defaultPeriod())
	}
	return v, nil
}

// ---- the overview ----

type waterOverview struct {
	*waterView
	Map     waterMap
	Ranking []waterstore.CityRank
	Grades  []waterstore.AreaGrade
}

// Share writes a ranking share, "—" without sections.
func (*waterOverview) Share(f float64) string {
	if math.IsNaN(f) {
		return "—"
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + "%"
}

// Explain says how an area got its grade.
func (d *waterOverview) Explain(g waterstore.AreaGrade) string {
	return g.Explain(d.lang, water.DefaultRiverRule, water.DefaultSeaRules)
}

// Grade names an area's grade.
func (d *waterOverview) Grade(g waterstore.AreaGrade) string { return g.GradeName(d.lang) }

func (s *Server) waterPage(r *http.Request, f form) (string, pageData, error) {
	d := &waterOverview{}
	p := s.newPage(r, "waterui.page.overview", d)
	v, err := s.newWaterView(r, &p)
	if err != nil {
		return "", p, err
	}
	d.waterView = v
	// One assessment of the period serves the map, the ranking and the grades.
	list, err := s.Water.Assess(r.Context(), v.Period)
	if err != nil {
		return "", p, err
	}
	stations, err := s.Water.Stations(r.Context())
	d.Map = newWaterMap(p, stations, list)
	d.Ranking = waterstore.RankingOf(list)
	d.Grades = waterstore.GradesOf(list, water.DefaultRiverRule, water.DefaultSeaRules)
	return "water", p, err
}

// ---- stations ----

type waterStationsData struct {
	*waterView
	Stations []waterstore.Station
	Filter   url.Values
	Basins   []option
	Waters   []option
	Import   *stationImportJSON // the result of an import just made
}

// Boundaries are the boundary filter's choices.
func (d *waterStationsData) Boundaries(p pageData) []option {
	return append([]option{{"any", p.T("waterui.filter.any_boundary")}, {"none", p.T("waterui.filter.no_boundary")}}, p.Enum("water_boundary")...)
}

// distinct are the different non-empty values of field among stations.
func distinct(list []waterstore.Station, field func(waterstore.Station) string) []option {
	var vals []string
	for _, st := range list {
		if v := field(st); v != "" && !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	slices.Sort(vals)
	out := make([]option, len(vals))
	for i, v := range vals {
		out[i] = option{v, v}
	}
	return out
}

func (s *Server) waterStationsPage(r *http.Request, f form) (string, pageData, error) {
	d := &waterStationsData{Filter: r.URL.Query()}
	p := s.newPage(r, "waterui.page.stations", d)
	p.Form = f
	dir, err := s.directory(r.Context(), p.Lang)
	if err != nil {
		return "", p, err
	}
	d.waterView = &waterView{directory: dir, Query: r.URL.RawQuery}
	all, err := s.Water.Stations(r.Context())
	if err != nil {
		return "", p, err
	}
	d.Basins = distinct(all, func(st waterstore.Station) string { return st.Basin })
	d.Waters = distinct(all, func(st waterstore.Station) string { return st.Water })
	q := readQuery(r)
	filter := stationFilterOf(q)
	if rf, ok := s.refused(r, q.err(), "filter", d.Filter); ok {
		p.Form, filter = rf, waterstore.StationFilter{}
	}
	for _, st := range all {
		if filter.Match(st) {
			d.Stations = append(d.Stations, st)
		}
	}
	return "water_stations", p, nil
}

// stationForm reads the station form.
func stationForm(f *formIn) waterstore.StationInput {
	opt := func(name string) *int64 {
		if id := f.id(name); id != 0 {
			return &id
		}
		return nil
	}
	in := waterstore.StationInput{Code: f.text("code"), NameZh: f.text("name_zh"), NameEn: f.text("name_en"),
		Province: f.text("province"), Basin: f.text("basin"), Water: f.text("water"),
		Latitude: f.number("latitude"), Longitude: f.number("longitude"), UnitID: opt("unit_id"),
		Body: water.WaterBody(f.text("water_body")), Status: waterstore.Status(f.text("status")),
		Boundary: waterstore.Boundary(f.text("boundary")), UpstreamID: opt("upstream_unit_id"),
		DownstreamID: opt("downstream_unit_id"), Stem: waterstore.Stem(f.text("stem"))}
	if t := f.text("target_class"); t != "" {
		c, ok := water.ParseClass(t)
		if !ok {
			f.v.Add("target_class", "error.water.class", t)
		}
		in.Target = c
	}
	return in
}

// StationValues fill the station form from st.
func (p pageData) StationValues(st waterstore.Station) url.Values {
	if st.ID == 0 {
		return url.Values{"province": {"辽宁"}, "water_body": {"river"}, "status": {"active"}}
	}
	v := url.Values{"code": {st.Code}, "name_zh": {st.NameZh}, "name_en": {st.NameEn}, "province": {st.Province},
		"basin": {st.Basin}, "water": {st.Water}, "water_body": {string(st.Body)}, "status": {string(st.Status)},
		"boundary": {string(st.Boundary)}, "stem": {string(st.Stem)}}
	if st.Target != water.NoClass {
		v.Set("target_class", strconv.Itoa(int(st.Target)))
	}
	if st.Latitude != nil {
		v.Set("latitude", num(*st.Latitude))
		v.Set("longitude", num(*st.Longitude))
	}
	for k, id := range map[string]*int64{"unit_id": st.UnitID, "upstream_unit_id": st.UpstreamID, "downstream_unit_id": st.DownstreamID} {
		if id != nil {
			v.Set(k, itoa(*id))
		}
	}
	return v
}

// TargetChoices are the target classes: Ⅰ–Ⅴ and 劣Ⅴ (a sea point's Ⅰ–Ⅳ).
func (p pageData) TargetChoices() []option {
	out := []option{}
	for c := water.ClassI; c <= water.WorseThanV; c++ {
		out = append(out, option{strconv.Itoa(int(c)), c.String()})
	}
	return out
}

func (s *Server) submitCreateWaterStation(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	in := stationForm(f)
	err := f.err()
	var st waterstore.Station
	if err == nil {
		st, err = s.Water.CreateStation(r.Context(), in)
	}
	s.finish(w, r, err, "station", s.waterStationsPage, "/water/stations/"+itoa(st.ID))
}

// submitImportWaterStations imports a stations file and shows what it did,
// or every problem (sheet, row, column, why) with nothing written.
func (s *Server) submitImportWaterStations(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	err := f.err()
	var res waterstore.StationImport
	if err == nil {
		fhs := f.files["file"]
		if len(fhs) == 0 {
			f.v.Add("file", "error.required")
			err = f.v.Err()
		} else {
			var format string
			var data []byte
			format, err = stationFileFormat(fhs[0].Filename, "file")
			if err == nil {
				data, err = readUpload(fhs[0])
			}
			if err == nil {
				res, err = s.Water.ImportStations(r.Context(), bytes.NewReader(data), format)
			}
		}
	}
	if err != nil {
		s.finish(w, r, err, "import", s.waterStationsPage, "")
		return
	}
	if len(res.Problems) == 0 {
		done(w, r, "/water/stations", "flash.saved")
		return
	}
	name, p, err := s.waterStationsPage(r, form{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body := stationImportBody(res, p.Lang)
	p.Data.(*waterStationsData).Import = &body
	s.renderStatus(w, r, http.StatusUnprocessableEntity, name, p)
}

type waterStationData struct {
	*waterView
	Station    waterstore.Station
	Assessment *waterstore.StationAssessment
	Explain    string
	Pollutants []string
	Series     waterstore.Series
	SeriesSpec map[string]any
	Items      []option
	Item       string
	Tokens     []waterstore.Token
	NewToken   string
}

// Boundary says what boundary the station sits on, in words.
func (d *waterStationData) Boundary(p pageData) string {
	st := d.Station
	if st.Boundary == "" {
		return p.T("waterui.filter.no_boundary")
	}
	out := p.Label("water_boundary", st.Boundary)
	if st.Stem != "" {
		out += " · " + p.Label("water_stem", st.Stem)
	}
	if st.UpstreamID != nil && st.DownstreamID != nil {
		out += " · " + p.T("waterui.station.handover", d.Unit(*st.UpstreamID), d.Unit(*st.DownstreamID))
	}
	return out
}

// ItemName names an item.
func (d *waterStationData) ItemName(it water.Item) string {
	std := d.Assessment.Standard()
	if l := std.Limit(it); l != nil {
		return l.Name(d.lang)
	}
	return string(it)
}

// Value writes an item's value to at most four decimals.
func (*waterStationData) Value(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// FailedLimit writes the limit an item failed, "—" for Class Ⅰ.
func (*waterStationData) FailedLimit(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Multiple writes an item's exceedance multiple, "" when it has none.
func (*waterStationData) Multiple(ic water.ItemClass) string {
	if !ic.HasMultiple {
		return ""
	}
	return strconv.FormatFloat(math.Round(ic.Multiple*100)/100, 'f', -1, 64)
}

func (s *Server) waterStationPage(r *http.Request, f form) (string, pageData, error) {
	return s.waterStationShow(r, f, "")
}

func (s *Server) waterStationShow(r *http.Request, f form, newToken string) (string, pageData, error) {
	ctx := r.Context()
	d := &waterStationData{NewToken: newToken}
	p := s.newPage(r, "waterui.page.station", d)
	v, err := s.newWaterView(r, &p)
	if err != nil {
		return "", p, err
	}
	if f.ID != "" {
		p.Form = f
	}
	d.waterView = v
	id, err := pathID(r, "id")
	if err == nil {
		d.Station, err = s.Water.Station(ctx, id)
	}
	if err != nil {
		return "", p, err
	}
	p.Title = d.Station.Code + " " + d.Station.NameZh
	a, ok, err := s.Water.AssessStation(ctx, id, v.Period)
	if err != nil {
		return "", p, err
	}
	if ok {
		d.Assessment = &a
		d.Explain = a.Explain(p.Lang)
		for _, pl := range a.Pollutants {
			d.Pollutants = append(d.Pollutants, pl.Label(p.Lang))
		}
	}
	std := water.GB3838
	if d.Station.Body == water.Sea {
		std = water.GB3097
	}
	for _, it := range std.Items() {
		if l := std.Limit(it); l.Bound != water.Narrative {
			d.Items = append(d.Items, option{string(it), l.Name(p.Lang)})
		}
	}
	q := readQuery(r)
	item := itemOf(q, d.Station.Body)
	if q.err() != nil {
		item = water.TP
		if d.Station.Body == water.Sea {
			item = water.DO
		}
	}
	d.Item = string(item)
	if d.Series, err = s.Water.Series(ctx, id, item, v.Period); err != nil {
		return "", p, err
	}
	d.SeriesSpec = seriesSpec(p, d.Series, std)
	if p.Can("water.manage") {
		if d.Tokens, err = s.Water.Tokens(ctx, id); err != nil {
			return "", p, err
		}
	}
	return "water_station", p, nil
}

// seriesSpec is the series chart's data for water.js: the points and the
// class bands with their colours' keys.
func seriesSpec(p pageData, se waterstore.Series, std *water.Standard) map[string]any {
	name := string(se.Item)
	if l := std.Limit(se.Item); l != nil {
		name = l.Name(p.Lang)
	}
	pts := make([][2]any, len(se.Points))
	for i, pt := range se.Points {
		pts[i] = [2]any{pt.Time.In(cst).Format("2006-01-02T15:04:05+08:00"), pt.Value}
	}
	return map[string]any{"name": name, "unit": se.Unit, "points": pts, "bands": se.Bands}
}

func (s *Server) updateWaterStation(ctx context.Context, id int64, f *formIn) error {
	in := stationForm(f)
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Water.UpdateStation(ctx, id, in, f.version())
	return err
}

// submitCreateWaterToken issues a push token and shows it once, on the
// station's page (not in a redirect, which would put it in a URL).
func (s *Server) submitCreateWaterToken(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	id, _ := pathID(r, "id")
	err := f.err()
	var t waterstore.Token
	if err == nil {
		t, err = s.Water.CreateToken(r.Context(), id, f.text("label"))
	}
	if err != nil {
		s.finish(w, r, err, "token", s.waterStationPage, "")
		return
	}
	name, p, err := s.waterStationShow(r, form{}, t.Secret)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, name, p)
}

// submitRevokeWaterToken revokes a push token and goes back to its station.
func (s *Server) submitRevokeWaterToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var t waterstore.Token
	if err == nil {
		t, err = s.Water.RevokeToken(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	done(w, r, "/water/stations/"+itoa(t.StationID), "flash.saved")
}

// ---- readings imports ----

type waterImportData struct {
	Import *importJSON
	Query  string // none: the water pages' links carry no period here
}

func (s *Server) waterImportsPage(r *http.Request, f form) (string, pageData, error) {
	d := &waterImportData{}
	p := s.newPage(r, "waterui.page.imports", d)
	p.Form = f
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		var j *waterImport
		if err == nil {
			j, err = s.imports.get(id, p.Actor.UserID)
		}
		if err != nil {
			return "", p, err
		}
		body := s.importBody(r, j)
		d.Import = &body
		p.Title = p.T("waterui.page.import", j.Name)
	}
	return "water_import", p, nil
}

// submitWaterImport starts an import from the form posted without script
// and shows its page: its report when it ended within a few seconds,
// otherwise its progress.
func (s *Server) submitWaterImport(w http.ResponseWriter, r *http.Request) {
	j, err := s.startImport(w, r, 10*time.Second)
	if err != nil {
		if e, ok := errs.As(err); ok && (e.Kind == errs.TooLarge || e.Kind == errs.Unsupported) {
			err = &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "file", Key: e.Key, Args: e.Args}}}
		}
		s.finish(w, r, err, "import", s.waterImportsPage, "")
		return
	}
	http.Redirect(w, r, "/water/imports/"+itoa(j.ID), http.StatusSeeOther)
}

// ---- suspects, assessment, matrix ----

type waterSuspectsData struct {
	*waterView
	Suspects []waterstore.Reading
	Stations map[int64]waterstore.Station
}

// Why says why a value is impossible.
func (d *waterSuspectsData) Why(p pageData, key string) string { return p.T(key) }

func (s *Server) waterSuspectsPage(r *http.Request, f form) (string, pageData, error) {
	d := &waterSuspectsData{}
	p := s.newPage(r, "waterui.page.suspects", d)
	v, err := s.newWaterView(r, &p)
	if err != nil {
		return "", p, err
	}
	d.waterView = v
	if d.Stations, err = s.stationsByID(r.Context()); err != nil {
		return "", p, err
	}
	from, to := s.Water.Bounds(v.Period)
	d.Suspects, err = s.Water.Suspects(r.Context(), from, to)
	return "water_suspects", p, err
}

func (s *Server) stationsByID(ctx context.Context) (map[int64]waterstore.Station, error) {
	list, err := s.Water.Stations(ctx)
	out := map[int64]waterstore.Station{}
	for _, st := range list {
		out[st.ID] = st
	}
	return out, err
}

type waterAssessmentData struct {
	*waterView
	Rows []assessmentJSON
}

func (s *Server) waterAssessmentPage(r *http.Request, f form) (string, pageData, error) {
	d := &waterAssessmentData{}
	p := s.newPage(r, "waterui.page.assessment", d)
	v, err := s.newWaterView(r, &p)
	if err != nil {
		return "", p, err
	}
	d.waterView = v
	list, err := s.Water.Assess(r.Context(), v.Period)
	for _, a := range list {
		d.Rows = append(d.Rows, assessmentBody(a, p.Lang))
	}
	return "water_assessment", p, err
}

type waterMatrixData struct {
	*waterView
	Matrix waterstore.Matrix
}

func (s *Server) waterMatrixPage(r *http.Request, f form) (string, pageData, error) {
	d := &waterMatrixData{}
	p := s.newPage(r, "waterui.page.matrix", d)
	v, err := s.newWaterView(r, &p)
	if err != nil {
		return "", p, err
	}
	d.waterView = v
	d.Matrix, err = s.Water.Matrix(r.Context(), v.Period)
	return "water_matrix", p, err
}

// ---- exports ----

// waterExport writes one water table of ?period= as CSV or XLSX; cols are
// waterui.col.* keys.
func (s *Server) waterExport(name string, cols []string, rows func(r *http.Request, v *waterView) (rowStream, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, v, err := s.exportView(r)
		var stream rowStream
		if err == nil {
			stream, err = rows(r, v)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		hs := make([]string, len(cols))
		for i, c := range cols {
			hs[i] = p.T("waterui.col." + c)
		}
		s.writeTable(w, r, table{name: name, headers: hs, rows: stream}, r.URL.RawQuery)
	}
}

// exportView is an export's period and language; a period that does not
// parse refuses the export.
func (s *Server) exportView(r *http.Request) (pageData, *waterView, error) {
	p := s.newPage(r, "waterui.page.overview", nil)
	v, err := s.newWaterView(r, &p)
	if err == nil && p.Form.ID != "" {
		q := readQuery(r)
		periodOf(q)
		err = q.err()
	}
	return p, v, err
}

// fromList streams a list as rows.
func fromList[T any](list []T, row func(T) []any) rowStream {
	return func(emit func([]any) error) error {
		for _, x := range list {
			if err := emit(row(x)); err != nil {
				return err
			}
		}
		return nil
	}
}

func (s *Server) exportWaterAssessment() http.HandlerFunc {
	return s.waterExport("water-assessment", []string{"code", "station", "water", "unit", "class", "grade", "pollutants", "target", "compliant", "explain"},
		func(r *http.Request, v *waterView) (rowStream, error) {
			list, err := s.Water.Assess(r.Context(), v.Period)
			return fromList(list, func(a waterstore.StationAssessment) []any {
				var pl []string
				for _, x := range a.Pollutants {
					pl = append(pl, x.Label(v.lang))
				}
				grade := ""
				if a.Station.Body != water.Sea {
					grade = a.Grade.Name(v.lang)
				}
				return []any{a.Station.Code, a.Station.NameZh, a.Station.Water, v.UnitOf(a.Station.UnitID), v.ClassName(a.Station, a.Class),
					grade, strings.Join(pl, "、"), v.Target(a.Station), yesNo(v.lang, a.Station.Target != water.NoClass, a.Compliant), a.Explain(v.lang)}
			}), err
		})
}

// yesNo writes whether a station meets its target; "" without one.
func yesNo(lang string, has, yes bool) string {
	if !has {
		return ""
	}
	if yes {
		return i18n.T(lang, "waterui.yes")
	}
	return i18n.T(lang, "waterui.no")
}

func (s *Server) exportWaterMatrix() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, v, err := s.exportView(r)
		var m waterstore.Matrix
		if err == nil {
			m, err = s.Water.Matrix(r.Context(), v.Period)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		hs := []string{p.T("waterui.col.code"), p.T("waterui.col.station")}
		for _, mo := range m.Months {
			hs = append(hs, v.Month(mo))
		}
		s.writeTable(w, r, table{name: "water-matrix", headers: hs, rows: fromList(m.Rows, func(row waterstore.MatrixRow) []any {
			out := []any{row.Station.Code, row.Station.NameZh}
			for _, c := range row.Classes {
				name := v.ClassName(row.Station, c.Class)
				if c.Class == water.NoClass {
					name = ""
				}
				out = append(out, name)
			}
			return out
		})}, r.URL.RawQuery)
	}
}

func (s *Server) exportWaterGrades() http.HandlerFunc {
	return s.waterExport("water-grades", []string{"kind", "area", "sections", "grade", "explain"},
		func(r *http.Request, v *waterView) (rowStream, error) {
			list, err := s.Water.Grades(r.Context(), v.Period, water.DefaultRiverRule, water.DefaultSeaRules)
			return fromList(list, func(g waterstore.AreaGrade) []any {
				return []any{i18n.T(v.lang, "waterui.area."+g.Kind), g.Name, len(g.Stations), g.GradeName(v.lang),
					g.Explain(v.lang, water.DefaultRiverRule, water.DefaultSeaRules)}
			}), err
		})
}

func (s *Server) exportWaterRanking() http.HandlerFunc {
	return s.waterExport("water-ranking", []string{"rank", "unit", "sections", "targeted", "meeting", "meeting_share", "good", "good_share", "worst"},
		func(r *http.Request, v *waterView) (rowStream, error) {
			list, err := s.Water.CityRanking(r.Context(), v.Period)
			share := (&waterOverview{}).Share
			return fromList(list, func(c waterstore.CityRank) []any {
				return []any{c.Rank, v.Unit(c.UnitID), c.Sections, c.Targeted, c.Meeting, share(c.MeetingShare), c.Good, share(c.GoodShare), c.Worst}
			}), err
		})
}

func (s *Server) exportWaterSuspects() http.HandlerFunc {
	return s.waterExport("water-suspects", []string{"code", "station", "time", "item", "value", "unit_of_value", "why", "source"},
		func(r *http.Request, v *waterView) (rowStream, error) {
			byID, err := s.stationsByID(r.Context())
			if err != nil {
				return nil, err
			}
			from, to := s.Water.Bounds(v.Period)
			list, err := s.Water.Suspects(r.Context(), from, to)
			return fromList(list, func(x waterstore.Reading) []any {
				st := byID[x.StationID]
				return []any{st.Code, st.NameZh, x.Time.In(cst).Format("2006-01-02 15:04"), string(x.Item), x.Value, x.Unit, i18n.T(v.lang, x.Why), x.Source}
			}), err
		})
}

// waterExports are a table's export links for a period.
type waterExports struct {
	P            pageData
	Base, Period string
}

// WaterExports links base's CSV and XLSX for period.
func (p pageData) WaterExports(base, period string) waterExports {
	return waterExports{p, base, period}
}

// stationFormData is the station form, drawn by "water-station-form".
type stationFormData struct {
	P          pageData
	ID, Action string
	Version    int
	Values     url.Values
	Dir        *directory
}

// StationForm builds form formID posting to action against version.
func (p pageData) StationForm(formID, action string, version int, values url.Values, dir *directory) stationFormData {
	return stationFormData{p, formID, action, version, values, dir}
}

// NewStationValues are a new station's defaults.
func (p pageData) NewStationValues() url.Values { return p.StationValues(waterstore.Station{}) }
