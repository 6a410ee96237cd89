package water

import (
	"concord/internal/i18n"
)

// SeaScope classes a sea point on every item of GB 3097-1997 Table 1. pH
// is checked against the table's ranges only: the standard's further
// condition (within 0.2 or 0.5 units of the area's normal range) needs a
// baseline Concord does not hold.
var SeaScope = GB3097.Scope(GB3097.Items()...)

// ClassifySea classes a sea point's values under GB 3097-1997: Class Ⅰ–Ⅳ,
// or ClassV meaning worse than Ⅳ (劣四类; GB3097.ClassName writes 劣Ⅳ). DO
// must be strictly above its limit.
func ClassifySea(values []Reading) Result { return SeaScope.Classify(values, Sea) }

// SeaGrade is the grade of a sea area from its points' classes.
type SeaGrade uint8

const (
	SeaExcellent SeaGrade = iota + 1 // 优
	SeaGood                          // 良好
	SeaFair                          // 一般
	SeaPoor                          // 差
	SeaVeryPoor                      // 极差
)

// Name is the grade in lang.
func (g SeaGrade) Name(lang string) string {
	if g < SeaExcellent || g > SeaVeryPoor {
		return i18n.T(lang, "water.grade.none")
	}
	return i18n.T(lang, "water.seagrade."+[]string{"", "excellent", "good", "fair", "poor", "very_poor"}[g])
}

// SeaRule is one row of a sea-area grading table: the grade applies when
// the share of Class Ⅰ+Ⅱ points is at least MinGood percent and the share
// of points worse than Ⅳ at most MaxWorse percent.
type SeaRule struct {
	Grade    SeaGrade
	MinGood  float64
	MaxWorse float64
}

// SeaRules grade a sea area: the first row that matches, else SeaVeryPoor.
type SeaRules []SeaRule

// DefaultSeaRules stand in for HJ 442's thresholds, which were not found
// in an official text. They reproduce the grades the 2017 national bulletin
// published (national, Bohai, Yellow Sea, East and South China Seas, and
// national 2014; see the tests): keep them a setting.
var DefaultSeaRules = SeaRules{
	{SeaExcellent, 90, 100},
	{SeaGood, 80, 5},
	{SeaFair, 60, 30},
	{SeaPoor, 40, 40},
}

// SeaShares are the percent of points per class: index 0 is Class Ⅰ, 4 is
// worse than Ⅳ.
type SeaShares [5]float64

// SharesOf counts points' classes (from ClassifySea) into shares; points
// without a class are left out. n is the number counted.
func SharesOf(classes []Class) (s SeaShares, n int) {
	var counts [5]int
	for _, c := range classes {
		if c >= ClassI && c <= ClassV {
			counts[c-1]++
			n++
		}
	}
	if n == 0 {
		return s, 0
	}
	for i, c := range counts {
		s[i] = 100 * float64(c) / float64(n)
	}
	return s, n
}

// Grade grades a sea area from its shares; good and worse are the shares
// the rules compared.
func (rs SeaRules) Grade(s SeaShares) (g SeaGrade, good, worse float64) {
	good, worse = s[0]+s[1], s[4]
	for _, r := range rs {
		// Shares are percentages to one decimal, as published: compare
		// with a small tolerance so 90.0 made of 45.0+45.0 is 90.
		if good >= r.MinGood-1e-9 && worse <= r.MaxWorse+1e-9 {
			return r.Grade, good, worse
		}
	}
	return SeaVeryPoor, good, worse
}

// ExplainSea says in lang how a sea area of n points got its grade.
func ExplainSea(lang string, n int, s SeaShares, rs SeaRules) string {
	g, good, worse := rs.Grade(s)
	return i18n.T(lang, "water.explain.sea_share", n, Num(round(good, 1)), Num(round(worse, 1)), g.Name(lang))
}
