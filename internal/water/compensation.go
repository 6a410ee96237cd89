package water

import (
	"math"
	"strconv"
	"strings"
	"time"

	"concord/internal/i18n"
)

// BoundaryKind is where a cross-boundary section (跨界断面) sits.
type BoundaryKind string

const (
	CrossCity      BoundaryKind = "cross_city"      // between two cities
	ProvinceEntry  BoundaryKind = "province_entry"  // where a river enters the province
	SeaEntry       BoundaryKind = "sea_entry"       // where a river reaches the sea
	TributaryMouth BoundaryKind = "tributary_mouth" // where a tributary joins its main stem
)

// Boundary is a cross-boundary section's handover: who is upstream, who
// downstream, where it lies, and its target class.
type Boundary struct {
	Section    string
	Kind       BoundaryKind
	Tributary  bool   // on a tributary, not the main stem
	Upstream   string // the unit handing water over
	Downstream string // the unit receiving it
	Host       string // the city the section lies in (sea-entry, tributary-mouth)
	Target     Class
}

// Scheme is a compensation rule set for sections worse than their target.
type Scheme struct {
	Name string
	// PerClassMain and PerClassTributary are owed per class worse than the
	// target, in yuan, on a main stem and on a tributary.
	PerClassMain      float64
	PerClassTributary float64
	// PerMultiple is added for a section worse than Class Ⅴ, per unit of
	// its exceedance multiple (the largest of its items over Class Ⅲ).
	PerMultiple float64
	// Province receives what sea-entry and tributary-mouth sections owe.
	Province string
	// LateRate is added to a year's total unpaid after DueMonth of the next
	// year (0.1: +10% if unpaid by the end of March).
	LateRate float64
	DueMonth time.Month
}

// Liaoning2017 is the shipped default: Liaoning's river-section water
// pollution compensation scheme (辽政办发〔2017〕45号) as public reports
// summarise it (standards §1.5). Whether the amounts are per section per
// month is not verified; this default reads them so, monthly.
var Liaoning2017 = Scheme{
	Name:              "辽宁省河流断面水质污染补偿办法（辽政办发〔2017〕45号）",
	PerClassMain:      1_000_000,
	PerClassTributary: 500_000,
	PerMultiple:       100_000,
	Province:          "辽宁省",
	LateRate:          0.10,
	DueMonth:          time.March,
}

// Step is one line of a compensation's arithmetic.
type Step struct {
	Key  string
	Args []any
}

// Compensation is what a section's month implies: who pays whom, how much,
// and the arithmetic.
type Compensation struct {
	Section string
	Payer   string
	Payee   string
	Amount  float64 // yuan; 0 when the section met its target
	Steps   []Step
}

// Explain is the arithmetic in lang, one step per line.
func (c Compensation) Explain(lang string) string {
	lines := make([]string, len(c.Steps))
	for i, s := range c.Steps {
		lines[i] = i18n.T(lang, s.Key, s.Args...)
	}
	return strings.Join(lines, "\n")
}

// Month applies the scheme to a section's monthly assessment.
func (sc Scheme) Month(b Boundary, a Assessment) Compensation {
	c := Compensation{Section: b.Section}
	switch b.Kind {
	case SeaEntry, TributaryMouth:
		c.Payer, c.Payee = b.Host, sc.Province
	default:
		c.Payer, c.Payee = b.Upstream, b.Downstream
	}
	if a.Class == NoClass || b.Target == NoClass || a.Class <= b.Target {
		c.Steps = []Step{{"water.explain.compliant", []any{b.Section, a.Class, b.Target}}}
		return c
	}
	per := sc.PerClassMain
	if b.Tributary {
		per = sc.PerClassTributary
	}
	classes := int(a.Class - b.Target)
	base := float64(classes) * per
	c.Amount = base
	c.Steps = append(c.Steps, Step{"water.explain.compensation_classes", []any{b.Section, a.Class, b.Target, classes, yuan(per), yuan(base)}})
	if a.Class == WorseThanV {
		m := 0.0
		for _, ic := range a.Items {
			if ic.HasMultiple {
				m = max(m, ic.Multiple)
			}
		}
		m = round(m, 2)
		extra := math.Round(m * sc.PerMultiple)
		c.Amount += extra
		c.Steps = append(c.Steps, Step{"water.explain.compensation_worse", []any{Num(m), yuan(sc.PerMultiple), yuan(extra)}})
	}
	c.Steps = append(c.Steps, Step{"water.explain.compensation_total", []any{c.Payer, c.Payee, yuan(c.Amount)}})
	return c
}

// Due is when a year's compensation must be paid: the end of DueMonth of
// the next year, in loc.
func (sc Scheme) Due(year int, loc *time.Location) time.Time {
	return time.Date(year+1, sc.DueMonth+1, 1, 0, 0, 0, 0, loc)
}

// Owed is a year's total as owed at now: with the late rate added once the
// due date has passed unpaid.
func (sc Scheme) Owed(total float64, year int, now time.Time) float64 {
	if !now.Before(sc.Due(year, now.Location())) {
		return math.Round(total * (1 + sc.LateRate))
	}
	return total
}

// yuan formats an amount with thousands separators: 1,000,000.
func yuan(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
