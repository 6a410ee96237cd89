package water

import (
	"math"
	"slices"
	"strconv"
	"time"

	"concord/internal/i18n"
)

// Reading is one item's value, in the unit of the standards' table (mg/L,
// count/L, °C, or none for pH).
type Reading struct {
	Item  Item
	Value float64
}

// Sample is a station's readings at one time.
type Sample struct {
	Province string
	Basin    string
	Section  string
	Time     time.Time
	Status   Status
	Values   []Reading
	// Published is the class the source gave, when it gave one.
	Published Class
	// Row is where the sample was read (line, or JSON row), for reports.
	Row int
}

// Value returns the sample's reading of it.
func (s Sample) Value(it Item) (float64, bool) {
	for _, r := range s.Values {
		if r.Item == it {
			return r.Value, true
		}
	}
	return 0, false
}

// Scope is a standard narrowed to the items a rule assesses.
type Scope struct {
	std    *Standard
	limits map[Item]*Limit
	list   []*Limit // the same, for a scan when there are few
}

// Scope narrows the standard to items; an item the standard lacks, or one
// without numeric limits (water temperature), is not assessed.
func (s *Standard) Scope(items ...Item) *Scope {
	sc := &Scope{std: s, limits: map[Item]*Limit{}}
	for _, it := range items {
		if l := s.limits[it]; l != nil && l.Bound != Narrative && sc.limits[it] == nil {
			sc.limits[it] = l
			sc.list = append(sc.list, l)
		}
	}
	return sc
}

// Items are the items assessed, in table order.
func (sc *Scope) Items() []Item {
	var out []Item
	for _, it := range sc.std.order {
		if sc.limits[it] != nil {
			out = append(out, it)
		}
	}
	return out
}

// RealTimeScope is the national stations' real-time class (§1.1): pH, DO,
// CODMn, NH3-N and TP; TN is left out.
var RealTimeScope = GB3838.Scope(PH, DO, CODMn, NH3N, TP)

// PeriodScope is a period's class (§1.1): the 21 items of Table 1 less
// water temperature, total nitrogen and fecal coliform. Lakes and
// reservoirs use the same items; their TN is a matter of trophic state.
var PeriodScope = func() *Scope {
	var items []Item
	for _, it := range GB3838.Items() {
		if it != WaterTemp && it != TN && it != FecalColiform {
			items = append(items, it)
		}
	}
	return GB3838.Scope(items...)
}()

// ItemClass is one item's verdict.
type ItemClass struct {
	Item  Item
	Value float64
	Class Class
	// Failed is the limit of the better class the value failed (the
	// bound that decided its class); NaN for Class I.
	Failed float64
	// Multiple is the exceedance multiple over Class III, when HasMultiple.
	Multiple    float64
	HasMultiple bool
	rank        int // the item's row in the standard's table
}

// Suspect is a physically impossible value, kept out of assessment and
// listed for review.
type Suspect struct {
	Item  Item
	Value float64
	Why   string // catalogue key
}

// Result is a classification with its reasons.
type Result struct {
	Class Class
	// Items holds every assessed item, in the standard's table order.
	Items []ItemClass
	// Deciding are the items at the result's class, worst multiple first.
	Deciding []ItemClass
	Suspects []Suspect
	// Status is why there is no class when the station was not running.
	Status Status
}

// Check flags a physically impossible value: a negative concentration or
// count, pH outside 0–14, DO over 25 mg/L, water below −2 °C or above
// 50 °C. It returns the catalogue key of why, or "" for a possible value.
func Check(it Item, v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "water.suspect.not_number"
	case it == PH && (v < 0 || v > 14):
		return "water.suspect.ph"
	case it == DO && v > 25:
		return "water.suspect.do"
	case it == WaterTemp && (v < -2 || v > 50):
		return "water.suspect.temperature"
	case it != WaterTemp && it != PH && v < 0:
		return "water.suspect.negative"
	}
	return ""
}

// RealTime classes one sample by the national stations' rule (§1.1): the
// worst class of pH, DO, CODMn, NH3-N and TP among those present, lake TP
// limits at lake and reservoir sites, pH outside 6–9 giving 劣Ⅴ, and no class
// while the station is under maintenance or stopped.
func RealTime(s Sample, body WaterBody) Result {
	if s.Status != Normal {
		return Result{Status: s.Status}
	}
	return RealTimeScope.Classify(s.Values, body)
}

// Classify is the single-factor class (单因子评价) of values: the worst
// class over the scope's items that are present and possible. Items are
// listed in table order.
func (sc *Scope) Classify(values []Reading, body WaterBody) Result {
	var r Result
	// One allocation holds both lists: Items first, Deciding after.
	buf := make([]ItemClass, 0, 2*min(len(values), len(sc.limits)))
	for _, rd := range values {
		l := sc.find(rd.Item)
		if l == nil {
			continue
		}
		if why := Check(rd.Item, rd.Value); why != "" {
			r.Suspects = append(r.Suspects, Suspect{rd.Item, rd.Value, why})
			continue
		}
		c, failed := l.grade(rd.Value, body)
		ic := ItemClass{Item: rd.Item, Value: rd.Value, Class: Class(c), Failed: failed, rank: l.rank}
		ic.Multiple, ic.HasMultiple = l.Multiple(rd.Value, body)
		// Insert in table order; values come in a handful.
		i := len(buf)
		buf = append(buf, ic)
		for ; i > 0 && buf[i-1].rank > l.rank; i-- {
			buf[i], buf[i-1] = buf[i-1], buf[i]
		}
		r.Class = max(r.Class, ic.Class)
	}
	r.Items = buf[:len(buf):len(buf)]
	for _, ic := range r.Items {
		if ic.Class == r.Class {
			buf = append(buf, ic)
		}
	}
	r.Deciding = buf[len(r.Items):]
	slices.SortStableFunc(r.Deciding, byMultiple)
	return r
}

// find is the item's limit if the scope assesses it. Comparing a few
// strings, which mostly differ in length, beats hashing each one.
func (sc *Scope) find(it Item) *Limit {
	if len(sc.list) > 8 {
		return sc.limits[it]
	}
	for _, l := range sc.list {
		if l.Item == it {
			return l
		}
	}
	return nil
}

// byMultiple orders items by exceedance multiple, largest first; items
// without one come after those with one.
func byMultiple(a, b ItemClass) int {
	switch {
	case a.HasMultiple && !b.HasMultiple:
		return -1
	case !a.HasMultiple && b.HasMultiple:
		return 1
	case a.Multiple > b.Multiple:
		return -1
	case a.Multiple < b.Multiple:
		return 1
	}
	return 0
}

// Explain says in lang what decided the result: the class, the deciding
// item, its value, the limit it failed and its exceedance multiple.
func (r Result) Explain(std *Standard, lang string) string {
	switch {
	case r.Status == Maintenance:
		return i18n.T(lang, "water.explain.maintenance")
	case r.Status == Stopped:
		return i18n.T(lang, "water.explain.stopped")
	case r.Class == NoClass:
		return i18n.T(lang, "water.explain.no_items")
	}
	d := r.Deciding[0]
	l := std.limits[d.Item]
	label := std.ClassName(r.Class)
	if math.IsNaN(d.Failed) {
		return i18n.T(lang, "water.explain.best", label, l.Name(lang), Num(d.Value), l.Unit)
	}
	better := std.ClassName(r.Class - 1)
	if d.HasMultiple {
		return i18n.T(lang, "water.explain.multiple", label, l.Name(lang), Num(d.Value), l.Unit, better, Num(d.Failed), Num(round(d.Multiple, 2)))
	}
	return i18n.T(lang, "water.explain.failed", label, l.Name(lang), Num(d.Value), l.Unit, better, Num(d.Failed))
}

// ClassName is a class as the standard writes it: Ⅰ … Ⅴ, 劣Ⅴ for surface
// water, Ⅰ … Ⅳ, 劣Ⅳ for sea water.
func (s *Standard) ClassName(c Class) string {
	if c == NoClass {
		return ""
	}
	if int(c) > s.n {
		return "劣" + classNames[s.n]
	}
	return classNames[c]
}

// Num formats a value with the digits it has, no exponent.
func Num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
