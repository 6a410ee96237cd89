package water

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"concord/internal/i18n"
)

// Sum is an item's total and count over a period, what a store keeps per
// station and month so any longer period is a sum of sums.
type Sum struct {
	Total float64
	N     int
}

// Period gathers a station's samples over a period (month, quarter, year or
// any span): only samples of a running station count, and impossible
// values are kept aside, not averaged.
type Period struct {
	sums     map[Item]Sum
	Samples  int       // samples counted
	Skipped  int       // samples of a station under maintenance or stopped
	Suspects []Suspect // values kept out, for review
}

// NewPeriod starts an empty period.
func NewPeriod() *Period { return &Period{sums: map[Item]Sum{}} }

// Add counts a sample.
func (p *Period) Add(s Sample) {
	if s.Status != Normal {
		p.Skipped++
		return
	}
	p.Samples++
	for _, r := range s.Values {
		if why := Check(r.Item, r.Value); why != "" {
			p.Suspects = append(p.Suspects, Suspect{r.Item, r.Value, why})
			continue
		}
		p.AddSum(r.Item, Sum{r.Value, 1})
	}
}

// AddSum adds a pre-aggregated sum, e.g. a stored month.
func (p *Period) AddSum(it Item, s Sum) {
	cur := p.sums[it]
	p.sums[it] = Sum{cur.Total + s.Total, cur.N + s.N}
}

// Sum is the item's total and count so far.
func (p *Period) Sum(it Item) Sum { return p.sums[it] }

// Means are the period means of every item read, in table order (items
// classed by no standard last, by code).
func (p *Period) Means() []Reading {
	out := make([]Reading, 0, len(p.sums))
	for it, s := range p.sums {
		if s.N > 0 {
			out = append(out, Reading{it, s.Total / float64(s.N)})
		}
	}
	slices.SortFunc(out, func(a, b Reading) int {
		return cmp.Or(cmp.Compare(itemRank(a.Item), itemRank(b.Item)), cmp.Compare(a.Item, b.Item))
	})
	return out
}

func itemRank(it Item) int {
	if i := slices.Index(GB3838.order, it); i >= 0 {
		return i
	}
	return len(GB3838.order)
}

// Pollutant is a main pollutant of a section (§1.4).
type Pollutant struct {
	Item        Item
	Class       Class
	Multiple    float64
	HasMultiple bool
}

// Label is the pollutant as bulletins write it: 总磷(1.3), the exceedance
// multiple to one decimal; an item without a multiple (DO, pH) is named alone.
func (p Pollutant) Label(lang string) string {
	name := GB3838.limits[p.Item].Name(lang)
	if !p.HasMultiple {
		return name
	}
	return name + "(" + strconv.FormatFloat(round(p.Multiple, 1), 'f', 1, 64) + ")"
}

// Assessment is a section's assessment over a period: the single-factor
// class of the period means over the 21 items, its grade, main pollutants
// and compliance with the target class.
type Assessment struct {
	Result
	Grade      Grade
	Pollutants []Pollutant
	Target     Class // NoClass when the section has none
	// Compliant is whether the class is no worse than the target.
	Compliant bool
}

// toxicFirst are the items that come first among main pollutants when they
// exceed Class III: cyanide, lead, hexavalent chromium and the other heavy
// metals (§1.4).
var toxicFirst = map[Item]bool{"cyanide": true, "pb": true, "cr6": true, "hg": true, "cd": true, "as": true, "cu": true, "zn": true, "se": true}

// Assess classes a section's period means (§1.1–1.4) at a site of body
// against target.
func Assess(means []Reading, body WaterBody, target Class) Assessment {
	a := Assessment{Result: PeriodScope.Classify(means, body), Target: target}
	a.Grade = GradeOf(a.Class)
	a.Compliant = target != NoClass && a.Class != NoClass && a.Class <= target
	a.Pollutants = mainPollutants(a.Items, a.Grade)
	return a
}

// mainPollutants are the three items with the worst class over Class III,
// ties broken by the larger exceedance multiple, cyanide and heavy metals
// first; none for a section graded 优 or 良好.
func mainPollutants(items []ItemClass, g Grade) []Pollutant {
	if g != Slightly && g != Moderately && g != Heavily {
		return nil
	}
	var over []ItemClass
	for _, ic := range items {
		if ic.Class > ClassIII {
			over = append(over, ic)
		}
	}
	slices.SortStableFunc(over, func(a, b ItemClass) int {
		if toxicFirst[a.Item] != toxicFirst[b.Item] {
			if toxicFirst[a.Item] {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Class, a.Class), byMultiple(a, b))
	})
	var out []Pollutant
	for _, ic := range over[:min(3, len(over))] {
		out = append(out, Pollutant{ic.Item, ic.Class, ic.Multiple, ic.HasMultiple})
	}
	return out
}

// Explain says in lang what decided the assessment, the main pollutants
// and the target.
func (a Assessment) Explain(lang string) string {
	parts := []string{a.Result.Explain(GB3838, lang) + "（" + a.Grade.Name(lang) + "）"}
	if len(a.Pollutants) > 0 {
		labels := make([]string, len(a.Pollutants))
		for i, p := range a.Pollutants {
			labels[i] = p.Label(lang)
		}
		parts = append(parts, i18n.T(lang, "water.explain.pollutants", strings.Join(labels, "、")))
	}
	switch {
	case a.Target == NoClass || a.Class == NoClass:
	case a.Compliant:
		parts = append(parts, i18n.T(lang, "water.explain.target_met", a.Target))
	default:
		parts = append(parts, i18n.T(lang, "water.explain.target_missed", a.Target, int(a.Class-a.Target)))
	}
	return strings.Join(parts, i18n.T(lang, "water.explain.sep"))
}
