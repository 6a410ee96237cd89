package water

import (
	"cmp"
	"slices"

	"concord/internal/i18n"
)

// RiverRule grades a river or basin from its sections (§1.3).
type RiverRule struct {
	// MinSections is the number of sections from which a river is graded by
	// the share of sections per class; with fewer, the items are averaged
	// over the sections and classed as one section. The method's text says
	// "5 or more"; whether exactly 5 counts was not verified, so it is a
	// setting, 5 by default.
	MinSections int
}

// DefaultRiverRule grades by shares from 5 sections.
var DefaultRiverRule = RiverRule{MinSections: 5}

// SectionMeans is one section's period means.
type SectionMeans struct {
	Section string
	Body    WaterBody
	Means   []Reading
}

// RiverPollutant is an item exceeding Class III in a share of sections.
type RiverPollutant struct {
	Item  Item
	Share float64 // percent of sections
}

// RiverAssessment is a river's or basin's grade with its reasons.
type RiverAssessment struct {
	Grade    Grade
	Sections int
	// ByShare says the grade came from the shares, else from the averaged
	// items, classed as Averaged.
	ByShare  bool
	Averaged Result
	// Counts are sections per class, index by Class (0: not classed).
	Counts     [7]int
	GoodShare  float64 // percent of classed sections in Class I–III
	WorseShare float64 // percent in 劣Ⅴ
	Pollutants []RiverPollutant
}

// Grade assesses a river or basin from its sections' period means.
func (rule RiverRule) Grade(sections []SectionMeans) RiverAssessment {
	ra := RiverAssessment{Sections: len(sections)}
	exceed := map[Item]int{}
	classed := 0
	for _, s := range sections {
		r := PeriodScope.Classify(s.Means, s.Body)
		ra.Counts[r.Class]++
		if r.Class == NoClass {
			continue
		}
		classed++
		for _, ic := range r.Items {
			if ic.Class > ClassIII {
				exceed[ic.Item]++
			}
		}
	}
	if classed == 0 {
		return ra
	}
	good := ra.Counts[ClassI] + ra.Counts[ClassII] + ra.Counts[ClassIII]
	worse := ra.Counts[WorseThanV]
	ra.GoodShare = 100 * float64(good) / float64(classed)
	ra.WorseShare = 100 * float64(worse) / float64(classed)
	if len(sections) < rule.MinSections {
		p := NewPeriod()
		for _, s := range sections {
			for _, m := range s.Means {
				p.AddSum(m.Item, Sum{m.Value, 1})
			}
		}
		ra.Averaged = PeriodScope.Classify(p.Means(), River)
		ra.Grade = GradeOf(ra.Averaged.Class)
	} else {
		ra.ByShare = true
		// Compared in whole counts, so 90% is 90% exactly.
		switch {
		case good*100 >= 90*classed:
			ra.Grade = Excellent
		case good*100 >= 75*classed:
			ra.Grade = Good
		case worse*100 < 20*classed:
			ra.Grade = Slightly
		case worse*100 < 40*classed:
			ra.Grade = Moderately
		default:
			ra.Grade = Heavily
		}
	}
	if ra.Grade != Excellent && ra.Grade != Good {
		for it, n := range exceed {
			ra.Pollutants = append(ra.Pollutants, RiverPollutant{it, 100 * float64(n) / float64(classed)})
		}
		slices.SortFunc(ra.Pollutants, func(a, b RiverPollutant) int {
			return cmp.Or(cmp.Compare(b.Share, a.Share), cmp.Compare(itemRank(a.Item), itemRank(b.Item)))
		})
		ra.Pollutants = ra.Pollutants[:min(3, len(ra.Pollutants))]
	}
	return ra
}

// Explain says in lang how the grade came about.
func (ra RiverAssessment) Explain(lang string, rule RiverRule) string {
	if !ra.ByShare {
		return i18n.T(lang, "water.explain.river_few", rule.MinSections, ra.Sections, ra.Averaged.Class) + i18n.T(lang, "water.explain.sep") + ra.Grade.Name(lang)
	}
	return i18n.T(lang, "water.explain.river_share", ra.Sections, Num(round(ra.GoodShare, 1)), Num(round(ra.WorseShare, 1))) + i18n.T(lang, "water.explain.sep") + ra.Grade.Name(lang)
}
