package web

import (
	"bytes"
	"database/sql"
	"math"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"concord/internal/audit"
	"concord/internal/errs"
	"concord/internal/water"
	"concord/internal/waterstore"
)

// The water-quality JSON API: stations, their file, readings, series and
// push tokens; the assessment views; readings imports (api_water_import.go)
// and the automatic stations' push.

func stationVersion(st waterstore.Station) int { return st.Version }

// stationFilterOf reads the station list's filters from a query.
func stationFilterOf(q *formIn) waterstore.StationFilter {
	return waterstore.StationFilter{Basin: q.text("basin"), Water: q.text("water"), UnitID: q.id("unit_id"),
		Boundary: q.text("boundary"), Query: q.text("q")}
}

func (s *Server) apiWaterStations(w http.ResponseWriter, r *http.Request) {
	q := readQuery(r)
	f := stationFilterOf(q)
	if err := q.err(); err != nil {
		s.apiFail(w, r, err)
		return
	}
	list, err := s.Water.FindStations(r.Context(), f)
	respond(s, w, r, list, 0, err)
}

func (s *Server) apiCreateWaterStation(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in waterstore.StationInput) (waterstore.Station, error) {
		return s.Water.CreateStation(r.Context(), in)
	},
		func(st waterstore.Station) (string, int) { return "/api/v1/water/stations/" + itoa(st.ID), st.Version })
}

func (s *Server) apiWaterStation(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (waterstore.Station, error) { return s.Water.Station(r.Context(), id) }, stationVersion)
}

func (s *Server) apiUpdateWaterStation(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Water.UpdateStation, stationVersion)
}

// stationFileFormat is the stations file's format from its name: csv for
// .csv, xlsx for .xlsx; anything else is refused on field.
func stationFileFormat(name, field string) (string, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "csv", nil
	case ".xlsx":
		return "xlsx", nil
	}
	var v errs.Validation
	v.Add(field, "waterui.error.station_file")
	return "", v.Err()
}

// apiImportWaterStations reads a stations file (multipart, field "file"):
// 200 with what changed, or 422 sheet.problems with nothing written, each
// problem in fields by its cell reference and the whole result in current.
func (s *Server) apiImportWaterStations(w http.ResponseWriter, r *http.Request) {
	name, data, err := uploadedFile(w, r)
	var format string
	if err == nil {
		format, err = stationFileFormat(name, "file")
	}
	var res waterstore.StationImport
	if err == nil {
		res, err = s.Water.ImportStations(r.Context(), bytes.NewReader(data), format)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	body := stationImportBody(res, langOf(r))
	if e, ok := errs.As(res.Problems.Err()); ok {
		c := *e
		c.Current = body
		s.apiFail(w, r, &c)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// stationImportJSON is a stations import with its problems worded.
type stationImportJSON struct {
	waterstore.StationImport
	Messages []string `json:"messages"`
}

func stationImportBody(res waterstore.StationImport, lang string) stationImportJSON {
	out := stationImportJSON{StationImport: res, Messages: []string{}}
	for _, p := range res.Problems {
		out.Messages = append(out.Messages, p.Text(lang))
	}
	return out
}

// downloadWaterStations sends the stations file (?format=csv|xlsx) in the
// reader's language, after recording the export.
func (s *Server) downloadWaterStations(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "xlsx" {
		s.fail(w, r, &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "format", Key: "error.choice"}}})
		return
	}
	var buf bytes.Buffer
	err := s.Water.ExportStations(r.Context(), &buf, format, langOf(r))
	if err == nil {
		err = s.DB.Tx(r.Context(), func(tx *sql.Tx) error {
			return audit.Record(r.Context(), tx, audit.Change{Action: "export", ObjectType: "water_stations", Detail: format})
		})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	if format == "xlsx" {
		h.Set("Content-Type", xlsxType)
	}
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape("water-stations-"+fileDate()+"."+format))
	h.Set("Cache-Control", "private, no-store")
	w.Write(buf.Bytes())
}

// periodOf reads ?period= (default: the last full month in China).
func periodOf(q *formIn) (waterstore.Period, string) {
	text := q.text("period")
	if text == "" {
		text = defaultPeriod()
	}
	p, err := waterstore.ParsePeriod(text)
	if err != nil {
		q.v.Add("period", "error.water.period", text)
	}
	return p, text
}

// defaultPeriod is the month before this one in China Standard Time.
func defaultPeriod() string {
	now := time.Now().In(cst)
	return time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, cst).Format("2006-01")
}

// withPeriod answers a view of ?period= with load's result.
func withPeriod[T any](s *Server, w http.ResponseWriter, r *http.Request, load func(waterstore.Period) (T, error)) {
	q := readQuery(r)
	p, _ := periodOf(q)
	if err := q.err(); err != nil {
		s.apiFail(w, r, err)
		return
	}
	v, err := load(p)
	respond(s, w, r, v, 0, err)
}

// assessmentJSON is a station's assessment with its explanation. Limits
// and multiples an item does not have are null (JSON has no NaN).
type assessmentJSON struct {
	Station    waterstore.Station `json:"station"`
	Class      water.Class        `json:"class"`
	ClassName  string             `json:"class_name"`
	Grade      water.Grade        `json:"grade"`
	Target     water.Class        `json:"target_class"`
	Compliant  bool               `json:"compliant"`
	Values     int                `json:"values"`
	Items      []itemJSON         `json:"items"`
	Deciding   []water.Item       `json:"deciding"`
	Pollutants []string           `json:"main_pollutants"`
	Explain    string             `json:"explain"`
}

// itemJSON is one item's verdict.
type itemJSON struct {
	Item     water.Item  `json:"item"`
	Value    float64     `json:"value"`
	Class    water.Class `json:"class"`
	Failed   *float64    `json:"failed_limit"`
	Multiple *float64    `json:"multiple"`
}

// resultJSON are a result's items and deciding items.
func resultJSON(r water.Result) ([]itemJSON, []water.Item) {
	items, deciding := make([]itemJSON, len(r.Items)), make([]water.Item, len(r.Deciding))
	for i, ic := range r.Items {
		items[i] = itemJSON{Item: ic.Item, Value: ic.Value, Class: ic.Class}
		if !math.IsNaN(ic.Failed) {
			v := ic.Failed
			items[i].Failed = &v
		}
		if ic.HasMultiple {
			v := ic.Multiple
			items[i].Multiple = &v
		}
	}
	for i, ic := range r.Deciding {
		deciding[i] = ic.Item
	}
	return items, deciding
}

func assessmentBody(a waterstore.StationAssessment, lang string) assessmentJSON {
	out := assessmentJSON{Station: a.Station, Class: a.Class, ClassName: a.Standard().ClassName(a.Class), Grade: a.Grade,
		Target: a.Target, Compliant: a.Compliant, Values: a.Values, Explain: a.Explain(lang), Pollutants: []string{}}
	out.Items, out.Deciding = resultJSON(a.Result)
	for _, p := range a.Pollutants {
		out.Pollutants = append(out.Pollutants, p.Label(lang))
	}
	return out
}

func (s *Server) apiWaterAssessment(w http.ResponseWriter, r *http.Request) {
	withPeriod(s, w, r, func(p waterstore.Period) ([]assessmentJSON, error) {
		list, err := s.Water.Assess(r.Context(), p)
		out := make([]assessmentJSON, len(list))
		for i, a := range list {
			out[i] = assessmentBody(a, langOf(r))
		}
		return out, err
	})
}

func (s *Server) apiWaterMatrix(w http.ResponseWriter, r *http.Request) {
	withPeriod(s, w, r, func(p waterstore.Period) (waterstore.Matrix, error) { return s.Water.Matrix(r.Context(), p) })
}

// gradeJSON is an area's grade with its explanation.
type gradeJSON struct {
	Kind      string                   `json:"kind"`
	Name      string                   `json:"name"`
	Stations  []string                 `json:"stations"`
	GradeName string                   `json:"grade_name"`
	Explain   string                   `json:"explain"`
	River     *riverJSON               `json:"river,omitempty"`
	Sea       *waterstore.SeaAreaGrade `json:"sea,omitempty"`
}

// riverJSON is a river's or basin's grade: by shares of sections, or from
// the items averaged over them.
type riverJSON struct {
	Grade         water.Grade `json:"grade"`
	ByShare       bool        `json:"by_share"`
	AveragedClass water.Class `json:"averaged_class"`
	AveragedItems []itemJSON  `json:"averaged_items"`
	Counts        [7]int      `json:"counts"`
	GoodShare     float64     `json:"good_share"`
	WorseShare    float64     `json:"worse_share"`
	Pollutants    []string    `json:"main_pollutants"`
}

func gradeBody(g waterstore.AreaGrade, lang string) gradeJSON {
	out := gradeJSON{Kind: g.Kind, Name: g.Name, Stations: g.Stations, GradeName: g.GradeName(lang),
		Explain: g.Explain(lang, water.DefaultRiverRule, water.DefaultSeaRules), Sea: g.Sea}
	if ra := g.River; ra != nil {
		r := &riverJSON{Grade: ra.Grade, ByShare: ra.ByShare, AveragedClass: ra.Averaged.Class, Counts: ra.Counts,
			GoodShare: ra.GoodShare, WorseShare: ra.WorseShare, Pollutants: []string{}}
		r.AveragedItems, _ = resultJSON(ra.Averaged)
		for _, p := range ra.Pollutants {
			r.Pollutants = append(r.Pollutants, water.GB3838.Limit(p.Item).Name(lang)+"("+strconv.FormatFloat(p.Share, 'f', 1, 64)+"%)")
		}
		out.River = r
	}
	return out
}

func (s *Server) apiWaterGrades(w http.ResponseWriter, r *http.Request) {
	withPeriod(s, w, r, func(p waterstore.Period) ([]gradeJSON, error) {
		list, err := s.Water.Grades(r.Context(), p, water.DefaultRiverRule, water.DefaultSeaRules)
		out := make([]gradeJSON, len(list))
		for i, g := range list {
			out[i] = gradeBody(g, langOf(r))
		}
		return out, err
	})
}

// rankJSON is a unit's standing; a share without sections is null.
type rankJSON struct {
	waterstore.CityRank
	MeetingShare *float64 `json:"meeting_share"`
}

func (s *Server) apiWaterRanking(w http.ResponseWriter, r *http.Request) {
	withPeriod(s, w, r, func(p waterstore.Period) ([]rankJSON, error) {
		list, err := s.Water.CityRanking(r.Context(), p)
		out := make([]rankJSON, len(list))
		for i, c := range list {
			out[i] = rankJSON{CityRank: c}
			if c.Targeted > 0 {
				v := c.MeetingShare
				out[i].MeetingShare = &v
			}
		}
		return out, err
	})
}

func (s *Server) apiWaterSuspects(w http.ResponseWriter, r *http.Request) {
	withPeriod(s, w, r, func(p waterstore.Period) ([]waterstore.Reading, error) {
		from, to := s.Water.Bounds(p)
		return s.Water.Suspects(r.Context(), from, to)
	})
}

// itemOf reads ?item= (code or name; default CODMn… the first of the
// station's usual items: total phosphorus for rivers, inorganic nitrogen
// absent, DO for the sea).
func itemOf(q *formIn, body water.WaterBody) water.Item {
	text := q.text("item")
	if text == "" {
		if body == water.Sea {
			return water.DO
		}
		return water.TP
	}
	it, ok := water.ItemByName(text)
	if !ok {
		q.v.Add("item", "waterui.error.item", text)
	}
	return it
}

func (s *Server) apiWaterSeries(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var st waterstore.Station
	if err == nil {
		st, err = s.Water.Station(r.Context(), id)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	q := readQuery(r)
	item := itemOf(q, st.Body)
	withPeriod(s, w, r, func(p waterstore.Period) (waterstore.Series, error) {
		if err := q.err(); err != nil {
			return waterstore.Series{}, err
		}
		return s.Water.Series(r.Context(), id, item, p)
	})
}

func (s *Server) apiWaterStationAssessment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	withPeriod(s, w, r, func(p waterstore.Period) (*assessmentJSON, error) {
		a, ok, err := s.Water.AssessStation(r.Context(), id, p)
		if err != nil || !ok {
			if err == nil {
				_, err = s.Water.Station(r.Context(), id)
			}
			return nil, err
		}
		out := assessmentBody(a, langOf(r))
		return &out, nil
	})
}

// ---- push tokens ----

type tokenBody struct {
	Label string `json:"label"`
}

func (s *Server) apiWaterTokens(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Water.Station, s.Water.Tokens)
}

func (s *Server) apiCreateWaterToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var in tokenBody
	if err == nil {
		err = decode(r, &in)
	}
	var t waterstore.Token
	if err == nil {
		t, err = s.Water.CreateToken(r.Context(), id, in.Label)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/water/stations/"+itoa(id)+"/tokens")
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) apiRevokeWaterToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var t waterstore.Token
	if err == nil {
		t, err = s.Water.RevokeToken(r.Context(), id)
	}
	respond(s, w, r, t, 0, err)
}

// ---- the automatic stations' push ----

// pushBody is what an automatic station sends.
type pushBody struct {
	Samples []waterstore.PushSample `json:"samples"`
}

// pushLimiter allows each client address a burst of pushes and then one
// every pushEvery: a station pushes every few minutes, so this only stops
// a runaway sender. The body is capped like every JSON body (maxBody).
type pushLimiter struct {
	mu   sync.Mutex
	next map[string]time.Time // when the address's budget is full again
}

const (
	pushBurst = 30
	pushEvery = 2 * time.Second
)

// allow spends one push of addr's budget, reporting whether there was one.
func (l *pushLimiter) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.next == nil {
		l.next = map[string]time.Time{}
	}
	if len(l.next) > 10000 { // forget addresses long idle
		for a, t := range l.next {
			if t.Before(now) {
				delete(l.next, a)
			}
		}
	}
	full := l.next[addr]
	if full.Before(now) {
		full = now
	}
	if full.Sub(now) >= pushBurst*pushEvery {
		return false
	}
	l.next[addr] = full.Add(pushEvery)
	return true
}

// apiWaterPush stores an automatic station's samples. It is open to
// anyone on the route table and authenticated here by the station's push
// token as the bearer token: no session, so no CSRF.
func (s *Server) apiWaterPush(w http.ResponseWriter, r *http.Request) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !s.pushes.allow(info(r).addr, time.Now()) {
		w.Header().Set("Retry-After", strconv.Itoa(int(pushEvery/time.Second)))
		_, body := s.describe(r, errs.New(errs.Locked, "waterui.error.push_rate"))
		writeJSON(w, http.StatusTooManyRequests, body)
		return
	}
	if token == "" || !strings.HasPrefix(token, "cwp_") {
		s.apiFail(w, r, errs.New(errs.Unauthorized, "error.water.token"))
		return
	}
	var in pushBody
	err := decode(r, &in)
	if err == nil && len(in.Samples) == 0 {
		var v errs.Validation
		v.Add("samples", "error.required")
		err = v.Err()
	}
	var rep waterstore.Report
	if err == nil {
		rep, err = s.Water.Push(r.Context(), token, in.Samples)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ingestBody(rep, langOf(r)))
}

// ingestJSON is an ingest's report with its conflicts and problems worded.
type ingestJSON struct {
	waterstore.Report
	ConflictMessages []string `json:"conflict_messages"`
	ProblemMessages  []string `json:"problem_messages"`
}

func ingestBody(rep waterstore.Report, lang string) ingestJSON {
	out := ingestJSON{Report: rep, ConflictMessages: []string{}, ProblemMessages: []string{}}
	for _, p := range rep.Conflicts {
		out.ConflictMessages = append(out.ConflictMessages, p.Text(lang))
	}
	for _, p := range rep.Problems {
		out.ProblemMessages = append(out.ProblemMessages, p.Text(lang))
	}
	return out
}
