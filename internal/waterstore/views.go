package waterstore

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"concord/internal/water"
)

// The views of the web layer: the station list's filters, a period's
// months, the stations × months class matrix, river, basin and sea-area
// grades, the city ranking and one station's time series. They read the
// stations, Assess (the month sums) and Readings; nothing here touches the
// readings table itself.

// StationFilter narrows the station list; zero fields do not filter.
type StationFilter struct {
	Basin  string
	Water  string // the river or sea area
	UnitID int64  // the responsible unit
	// Boundary is a boundary kind, "none" for sections on no boundary, or
	// "any" for every cross-boundary section.
	Boundary string
	Query    string // part of the code or a name, any case
}

// Match reports whether st passes the filter.
func (f StationFilter) Match(st Station) bool {
	if f.Basin != "" && st.Basin != f.Basin || f.Water != "" && st.Water != f.Water {
		return false
	}
	if f.UnitID != 0 && (st.UnitID == nil || *st.UnitID != f.UnitID) {
		return false
	}
	switch f.Boundary {
	case "":
	case "none":
		if st.Boundary != "" {
			return false
		}
	case "any":
		if st.Boundary == "" {
			return false
		}
	default:
		if string(st.Boundary) != f.Boundary {
			return false
		}
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		return strings.Contains(strings.ToLower(st.Code), q) || strings.Contains(st.NameZh, f.Query) ||
			strings.Contains(strings.ToLower(st.NameEn), q)
	}
	return true
}

// FindStations lists the stations that pass f, by code.
func (s *Service) FindStations(ctx context.Context, f StationFilter) ([]Station, error) {
	all, err := s.Stations(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(st Station) bool { return !f.Match(st) }), nil
}

// Bounds are the instants the period starts (inclusive) and ends
// (exclusive) in the store's zone.
func (s *Service) Bounds(p Period) (from, to time.Time) {
	z := s.zone()
	from = time.Date(p.From/100, time.Month(p.From%100), 1, 0, 0, 0, 0, z)
	to = time.Date(p.To/100, time.Month(p.To%100)+1, 1, 0, 0, 0, 0, z)
	return from, to
}

// AssessStation is one station's assessment over the period; ok is false
// when it has no normal values in it.
func (s *Service) AssessStation(ctx context.Context, id int64, p Period) (a StationAssessment, ok bool, err error) {
	all, err := s.Assess(ctx, p)
	if err != nil {
		return a, false, err
	}
	for _, x := range all {
		if x.Station.ID == id {
			return x, true, nil
		}
	}
	return a, false, nil
}

// MatrixRow is a station's class in each month of a matrix (water.NoClass
// where it has none).
type MatrixRow struct {
	Station Station      `json:"station"`
	Classes []MonthClass `json:"classes"`
}

// MonthClass is a class in a matrix: a number in JSON (a []water.Class
// would be bytes, written in base64).
type MonthClass struct{ water.Class }

// MarshalJSON writes the class as its number, 0 for none.
func (c MonthClass) MarshalJSON() ([]byte, error) { return []byte(strconv.Itoa(int(c.Class))), nil }

// Matrix is the stations × months class matrix of a period: the stations
// classed in at least one of its months, by code.
type Matrix struct {
	Months []int       `json:"months"` // yyyymm
	Rows   []MatrixRow `json:"rows"`
}

// Matrix classes every station in each month of the period, one
// assessment (one query of the month sums) per month.
func (s *Service) Matrix(ctx context.Context, p Period) (Matrix, error) {
	m := Matrix{Months: p.Months()}
	byStation := map[int64]*MatrixRow{}
	var order []int64
	for i, month := range m.Months {
		list, err := s.Assess(ctx, Period{month, month})
		if err != nil {
			return m, err
		}
		for _, a := range list {
			row := byStation[a.Station.ID]
			if row == nil {
				row = &MatrixRow{Station: a.Station, Classes: make([]MonthClass, len(m.Months))}
				byStation[a.Station.ID] = row
				order = append(order, a.Station.ID)
			}
			row.Classes[i] = MonthClass{a.Class}
		}
	}
	for _, id := range order {
		m.Rows = append(m.Rows, *byStation[id])
	}
	slices.SortFunc(m.Rows, func(a, b MatrixRow) int { return cmp.Compare(a.Station.Code, b.Station.Code) })
	return m, nil
}

// Area kinds of AreaGrade.
const (
	AreaRiver = "river"
	AreaBasin = "basin"
	AreaSea   = "sea"
)

// AreaGrade is a river's, a basin's or a sea area's grade over a period.
type AreaGrade struct {
	Kind     string   `json:"kind"` // river, basin or sea
	Name     string   `json:"name"`
	Stations []string `json:"stations"` // the codes graded
	// River is the grade of a river or basin (water.RiverRule.Grade).
	River *water.RiverAssessment `json:"river,omitempty"`
	// Sea is the grade of a sea area from its points' shares (water.SeaRules).
	Sea *SeaAreaGrade `json:"sea,omitempty"`
}

// SeaAreaGrade is a sea area's grade: its points' shares per class, the
// shares compared and the grade.
type SeaAreaGrade struct {
	Points int             `json:"points"`
	Shares water.SeaShares `json:"shares"`
	Grade  water.SeaGrade  `json:"grade"`
	Good   float64         `json:"good"`  // percent of points in Class Ⅰ+Ⅱ
	Worse  float64         `json:"worse"` // percent worse than Ⅳ
}

// Explain says in lang how the area got its grade.
func (g AreaGrade) Explain(lang string, rule water.RiverRule, sea water.SeaRules) string {
	if g.Sea != nil {
		return water.ExplainSea(lang, g.Sea.Points, g.Sea.Shares, sea)
	}
	return g.River.Explain(lang, rule)
}

// GradeName is the grade in lang.
func (g AreaGrade) GradeName(lang string) string {
	if g.Sea != nil {
		return g.Sea.Grade.Name(lang)
	}
	return g.River.Grade.Name(lang)
}

// meansOf are an assessment's period means, from its items' values.
func meansOf(a StationAssessment) []water.Reading {
	out := make([]water.Reading, len(a.Items))
	for i, it := range a.Items {
		out[i] = water.Reading{Item: it.Item, Value: it.Value}
	}
	return out
}

// Grades grades, over the period, every river (stations by their river
// name) and basin (by basin) from its sections under rule, and every sea
// area from its points under sea. Areas come by kind, then name.
func (s *Service) Grades(ctx context.Context, p Period, rule water.RiverRule, sea water.SeaRules) ([]AreaGrade, error) {
	list, err := s.Assess(ctx, p)
	if err != nil {
		return nil, err
	}
	return GradesOf(list, rule, sea), nil
}

// GradesOf grades rivers, basins and sea areas from a period's station
// assessments, as Grades does.
func GradesOf(list []StationAssessment, rule water.RiverRule, sea water.SeaRules) []AreaGrade {
	type group struct {
		codes    []string
		sections []water.SectionMeans
		classes  []water.Class
	}
	groups := map[[2]string]*group{}
	add := func(kind, name string, a StationAssessment) {
		if name == "" {
			return
		}
		k := [2]string{kind, name}
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
		}
		g.codes = append(g.codes, a.Station.Code)
		g.sections = append(g.sections, water.SectionMeans{Section: a.Station.NameZh, Body: a.Station.Body, Means: meansOf(a)})
		g.classes = append(g.classes, a.Class)
	}
	for _, a := range list {
		if a.Station.Body == water.Sea {
			add(AreaSea, a.Station.Water, a)
			continue
		}
		add(AreaRiver, a.Station.Water, a)
		add(AreaBasin, a.Station.Basin, a)
	}
	kindOrder := map[string]int{AreaBasin: 0, AreaRiver: 1, AreaSea: 2}
	out := make([]AreaGrade, 0, len(groups))
	for k, g := range groups {
		ag := AreaGrade{Kind: k[0], Name: k[1], Stations: g.codes}
		if k[0] == AreaSea {
			shares, n := water.SharesOf(g.classes)
			grade, good, worse := sea.Grade(shares)
			if n == 0 {
				grade = 0
			}
			ag.Sea = &SeaAreaGrade{Points: n, Shares: shares, Grade: grade, Good: good, Worse: worse}
		} else {
			ra := rule.Grade(g.sections)
			ag.River = &ra
		}
		out = append(out, ag)
	}
	slices.SortFunc(out, func(a, b AreaGrade) int {
		return cmp.Or(cmp.Compare(kindOrder[a.Kind], kindOrder[b.Kind]), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// CityRank is a responsible unit's standing over a period.
type CityRank struct {
	UnitID   int64 `json:"unit_id"`
	Rank     int   `json:"rank"`
	Sections int   `json:"sections"` // land sections classed
	// Targeted are the sections with a target class; Meeting those that
	// meet it.
	Targeted int `json:"targeted"`
	Meeting  int `json:"meeting"`
	Good     int `json:"good"`  // sections in Class Ⅰ–Ⅲ
	Worst    int `json:"worst"` // sections in 劣Ⅴ
	// MeetingShare and GoodShare are percentages; MeetingShare is NaN
	// when no section has a target.
	MeetingShare float64 `json:"meeting_share"`
	GoodShare    float64 `json:"good_share"`
}

// CityRanking ranks the responsible units by their land sections (rivers,
// lakes, reservoirs; not sea points) classed in the period: first by the
// share of sections with a target that meet it, then by the share in
// Class Ⅰ–Ⅲ, then by fewer 劣Ⅴ sections. Units equal on all three share a
// rank; units with no targeted section come after the others. Sections
// without a responsible unit are left out.
func (s *Service) CityRanking(ctx context.Context, p Period) ([]CityRank, error) {
	list, err := s.Assess(ctx, p)
	if err != nil {
		return nil, err
	}
	return RankingOf(list), nil
}

// RankingOf ranks the responsible units from a period's station
// assessments, as CityRanking does.
func RankingOf(list []StationAssessment) []CityRank {
	by := map[int64]*CityRank{}
	for _, a := range list {
		if a.Station.Body == water.Sea || a.Station.UnitID == nil || a.Class == water.NoClass {
			continue
		}
		c := by[*a.Station.UnitID]
		if c == nil {
			c = &CityRank{UnitID: *a.Station.UnitID}
			by[c.UnitID] = c
		}
		c.Sections++
		if a.Class <= water.ClassIII {
			c.Good++
		}
		if a.Class == water.WorseThanV {
			c.Worst++
		}
		if a.Station.Target != water.NoClass {
			c.Targeted++
			if a.Compliant {
				c.Meeting++
			}
		}
	}
	out := make([]CityRank, 0, len(by))
	for _, c := range by {
		c.GoodShare = 100 * float64(c.Good) / float64(c.Sections)
		c.MeetingShare = math.NaN()
		if c.Targeted > 0 {
			c.MeetingShare = 100 * float64(c.Meeting) / float64(c.Targeted)
		}
		out = append(out, *c)
	}
	key := func(c CityRank) [3]float64 {
		m := c.MeetingShare
		if math.IsNaN(m) {
			m = -1
		}
		return [3]float64{m, c.GoodShare, -float64(c.Worst)}
	}
	slices.SortFunc(out, func(a, b CityRank) int {
		ka, kb := key(a), key(b)
		for i := range ka {
			if c := cmp.Compare(kb[i], ka[i]); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.UnitID, b.UnitID)
	})
	for i := range out {
		if i > 0 && key(out[i]) == key(out[i-1]) {
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}

// Point is one value of a time series.
type Point struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
	Flag  Flag      `json:"flag"`
}

// Band is the range of values of one class, for a chart's bands: nil ends
// are open.
type Band struct {
	Class water.Class `json:"class"`
	Name  string      `json:"name"`
	Lo    *float64    `json:"lo"`
	Hi    *float64    `json:"hi"`
}

// Series is one item's values at a station over a period, with the class
// bands of the station's standard.
type Series struct {
	Station   Station    `json:"station"`
	Item      water.Item `json:"item"`
	Unit      string     `json:"unit"`
	Points    []Point    `json:"points"`
	Bands     []Band     `json:"bands"`
	Truncated bool       `json:"truncated"` // a month had more readings than one listing returns
}

// Series reads the item's values at station id over the period, month by
// month through Readings, with its class bands.
func (s *Service) Series(ctx context.Context, id int64, item water.Item, p Period) (Series, error) {
	st, err := s.Station(ctx, id)
	if err != nil {
		return Series{}, err
	}
	out := Series{Station: st, Item: item, Unit: water.UnitOf(item), Points: []Point{}, Bands: BandsOf(st.Body, item)}
	for _, m := range p.Months() {
		from, to := s.Bounds(Period{m, m})
		rs, err := s.Readings(ctx, id, from, to, MaxReadings)
		if err != nil {
			return out, err
		}
		if len(rs) == MaxReadings {
			out.Truncated = true
		}
		for _, r := range rs {
			if r.Item == item {
				out.Points = append(out.Points, Point{Time: r.Time, Value: r.Value, Flag: r.Flag})
			}
		}
	}
	return out, nil
}

// BandsOf are the class bands of item at a site of body, under GB 3097
// for the sea and GB 3838 elsewhere, best class first, each from where the
// better one ends; none for an item without limits.
func BandsOf(body water.WaterBody, item water.Item) []Band {
	std := water.GB3838
	if body == water.Sea {
		std = water.GB3097
	}
	lim := std.Limit(item)
	if lim == nil || lim.Bound == water.Narrative {
		return []Band{}
	}
	out := []Band{}
	for c := water.ClassI; c <= water.WorseThanV; c++ {
		lo, hi, ok := lim.ClassLimit(c, body)
		if !ok {
			continue
		}
		b := Band{Class: c, Name: std.ClassName(c)}
		if !math.IsInf(lo, 0) {
			b.Lo = &lo
		}
		if !math.IsInf(hi, 0) {
			b.Hi = &hi
		}
		// Each class's band starts where the better one's ends, so the
		// bands do not overlap: Class Ⅱ of an upper limit is from Ⅰ's
		// limit to its own, of a lower limit (DO) from its own to Ⅰ's.
		if n := len(out); n > 0 && lim.Bound != water.Range {
			if b.Lo == nil {
				b.Lo = out[n-1].Hi
			}
			if b.Hi == nil {
				b.Hi = out[n-1].Lo
			}
		}
		out = append(out, b)
	}
	return out
}
