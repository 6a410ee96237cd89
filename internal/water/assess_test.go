package water

import (
	"strings"
	"testing"
	"time"
)

func TestPeriodMeansThenClass(t *testing.T) {
	p := NewPeriod()
	// Two samples: NH3-N 0.9 and 1.3 average 1.1 (Class IV), though one
	// sample alone is Class III.
	p.Add(Sample{Values: []Reading{{NH3N, 0.9}, {CODMn, 3}, {"cd", 0.004}}})
	p.Add(Sample{Values: []Reading{{NH3N, 1.3}, {CODMn, 5}, {TP, -2}}})
	p.Add(Sample{Status: Maintenance, Values: []Reading{{NH3N, 9}}})
	if p.Samples != 2 || p.Skipped != 1 || len(p.Suspects) != 1 {
		t.Fatalf("samples %d, skipped %d, suspects %v", p.Samples, p.Skipped, p.Suspects)
	}
	means := p.Means()
	if len(means) != 3 || means[0].Item != CODMn || means[0].Value != 4 || means[1].Item != NH3N {
		t.Fatalf("means %v", means)
	}
	a := Assess(means, River, ClassIII)
	if a.Class != ClassIV || a.Grade != Slightly || a.Compliant {
		t.Fatalf("class %s grade %d compliant %v", a.Class, a.Grade, a.Compliant)
	}
	if len(a.Pollutants) != 1 || a.Pollutants[0].Label("zh-Hans") != "氨氮(0.1)" {
		t.Errorf("pollutants %v", a.Pollutants)
	}
	got := a.Explain("zh-Hans")
	for _, want := range []string{"Ⅳ类，由氨氮决定", "超标 0.1 倍", "轻度污染", "主要污染指标：氨氮(0.1)", "未达到水质目标Ⅲ类（差 1 个类别）"} {
		if !strings.Contains(got, want) {
			t.Errorf("explanation %q lacks %q", got, want)
		}
	}
	if a := Assess(means, River, ClassIV); !a.Compliant || !strings.Contains(a.Explain("en"), "meets its target") {
		t.Errorf("Class IV target: %v", a.Explain("en"))
	}
	// A pre-aggregated month adds in as a sum.
	q := NewPeriod()
	q.AddSum(NH3N, p.Sum(NH3N))
	q.AddSum(NH3N, Sum{1.1, 1})
	if m := q.Means(); len(m) != 1 || m[0].Value != 1.1 {
		t.Errorf("sum of sums: %v", m)
	}
}

func TestMainPollutantOrder(t *testing.T) {
	cases := []struct {
		name  string
		means []Reading
		want  string
	}{
		{"good has none", []Reading{{NH3N, 0.9}}, ""},
		{"worst class first", []Reading{{NH3N, 1.9}, {TP, 0.5}, {CODMn, 7}}, "总磷(1.5)、氨氮(0.9)、高锰酸盐指数(0.2)"},
		{"ties by multiple", []Reading{{NH3N, 1.4}, {CODMn, 9}, {"bod5", 5}}, "高锰酸盐指数(0.5)、氨氮(0.4)、五日生化需氧量(0.3)"},
		{"heavy metals first", []Reading{{NH3N, 5}, {TP, 0.5}, {"pb", 0.06}, {CODMn, 16}}, "铅(0.2)、氨氮(4.0)、高锰酸盐指数(1.7)"},
		{"at most three, DO without a multiple", []Reading{{DO, 1}, {NH3N, 5}, {TP, 0.5}, {CODMn, 16}}, "氨氮(4.0)、高锰酸盐指数(1.7)、总磷(1.5)"},
		{"DO alone", []Reading{{DO, 2.5}}, "溶解氧"},
	}
	for _, c := range cases {
		a := Assess(c.means, River, NoClass)
		var labels []string
		for _, p := range a.Pollutants {
			labels = append(labels, p.Label("zh-Hans"))
		}
		if got := strings.Join(labels, "、"); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func sectionsOf(classes ...Class) []SectionMeans {
	// NH3-N values in each class.
	v := map[Class]float64{ClassI: 0.1, ClassII: 0.4, ClassIII: 0.9, ClassIV: 1.4, ClassV: 1.9, WorseThanV: 3}
	var out []SectionMeans
	for _, c := range classes {
		out = append(out, SectionMeans{Body: River, Means: []Reading{{NH3N, v[c]}}})
	}
	return out
}

func repeat(c Class, n int) []Class {
	out := make([]Class, n)
	for i := range out {
		out[i] = c
	}
	return out
}

func TestRiverGrade(t *testing.T) {
	cat := func(parts ...[]Class) []Class {
		var out []Class
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	cases := []struct {
		name    string
		classes []Class
		want    Grade
	}{
		{"90% I–III is excellent", cat(repeat(ClassII, 9), repeat(ClassIV, 1)), Excellent},
		{"just under 90% is good", cat(repeat(ClassII, 8), repeat(ClassIV, 1), repeat(ClassIII, 0), repeat(ClassV, 1)), Good},
		{"75% is good", cat(repeat(ClassIII, 3), repeat(ClassIV, 1)), Good},
		{"under 75%, 劣Ⅴ under 20% is slight", cat(repeat(ClassIII, 7), repeat(ClassIV, 2), repeat(WorseThanV, 1)), Slightly},
		{"劣Ⅴ 20% is moderate", cat(repeat(ClassIII, 5), repeat(ClassIV, 3), repeat(WorseThanV, 2)), Moderately},
		{"劣Ⅴ 40% is heavy", cat(repeat(ClassIII, 5), repeat(ClassIV, 1), repeat(WorseThanV, 4)), Heavily},
	}
	for _, c := range cases {
		secs := sectionsOf(c.classes...)
		if c.name == "75% is good" {
			// four sections are averaged unless the threshold says otherwise
			ra := RiverRule{MinSections: 4}.Grade(secs)
			if ra.Grade != c.want || !ra.ByShare {
				t.Errorf("%s: %s", c.name, ra.Grade.Name("en"))
			}
			continue
		}
		ra := DefaultRiverRule.Grade(secs)
		if ra.Grade != c.want || !ra.ByShare {
			t.Errorf("%s: %s (%s)", c.name, ra.Grade.Name("en"), ra.Explain("en", DefaultRiverRule))
		}
	}
	// Fewer than 5 sections: the items are averaged and classed as one.
	ra := DefaultRiverRule.Grade(sectionsOf(ClassII, ClassII, WorseThanV)) // NH3-N mean (0.4+0.4+3)/3 = 1.27
	if ra.ByShare || ra.Averaged.Class != ClassIV || ra.Grade != Slightly {
		t.Errorf("averaged: %s %s", ra.Averaged.Class, ra.Grade.Name("en"))
	}
	if got := ra.Explain("zh-Hans", DefaultRiverRule); !strings.Contains(got, "断面少于 5 个") {
		t.Errorf("explanation %q", got)
	}
	if len(ra.Pollutants) != 1 || ra.Pollutants[0].Item != NH3N {
		t.Errorf("river pollutants %v", ra.Pollutants)
	}
}

// The default sea rules reproduce the grades of the 2017 national bulletin
// (standards §2).
func TestSeaGrade2017(t *testing.T) {
	cases := []struct {
		area   string
		shares SeaShares
		want   string
	}{
		{"National", SeaShares{34.5, 33.3, 10.1, 6.5, 15.6}, "一般"},
		{"Bohai", SeaShares{19.8, 48.1, 14.8, 7.4, 9.9}, "一般"},
		{"Yellow Sea", SeaShares{37.4, 45.1, 9.9, 5.5, 2.2}, "良好"},
		{"East China Sea", SeaShares{15.9, 31.0, 12.4, 9.7, 31.0}, "差"},
		{"South China Sea", SeaShares{57.6, 18.2, 5.3, 3.8, 15.2}, "一般"},
		{"National 2014", SeaShares{28.6, 38.2, 7.0, 7.6, 18.6}, "一般"},
		{"all Class I", SeaShares{100}, "优"},
		{"all worse", SeaShares{0, 0, 0, 0, 100}, "极差"},
	}
	for _, c := range cases {
		if g, _, _ := DefaultSeaRules.Grade(c.shares); g.Name("zh-Hans") != c.want {
			t.Errorf("%s: %s, want %s", c.area, g.Name("zh-Hans"), c.want)
		}
	}
	if SeaGrade(0).Name("en") != "not assessed" {
		t.Error("the zero sea grade")
	}
	classes := []Class{
		ClassifySea([]Reading{{DO, 6.5}, {"din", 0.1}, {"po4p", 0.01}}).Class,  // Ⅰ
		ClassifySea([]Reading{{DO, 5.5}, {"din", 0.25}}).Class,                 // Ⅱ
		ClassifySea([]Reading{{"din", 0.6}}).Class,                             // 劣Ⅳ
		ClassifySea([]Reading{{"petroleum", 0.2}, {"cod", 2}}).Class,           // Ⅲ
		ClassifySea([]Reading{{PH, 7.0}, {"po4p", 0.04}, {"din", 0.45}}).Class, // Ⅳ
	}
	s, n := SharesOf(classes)
	if n != 5 || s != (SeaShares{20, 20, 20, 20, 20}) {
		t.Fatalf("shares %v of %d", s, n)
	}
	if got := ExplainSea("zh-Hans", n, s, DefaultSeaRules); got != "5 个点位中一、二类占 40%，劣四类占 20%：差" {
		t.Errorf("explanation %q", got)
	}
}

func TestCompensation(t *testing.T) {
	worse := Assess([]Reading{{NH3N, 3.0}, {TP, 0.3}}, River, ClassIV) // NH3-N 劣Ⅴ, multiple 2
	cases := []struct {
		name  string
		b     Boundary
		a     Assessment
		payer string
		payee string
		total float64
		steps string
	}{
		{"cross-city, compliant", Boundary{Section: "兴安", Kind: CrossCity, Upstream: "沈阳市", Downstream: "盘锦市", Target: ClassIV},
			Assess([]Reading{{NH3N, 1.2}}, River, ClassIV), "沈阳市", "盘锦市", 0, "兴安：Ⅳ类，达到目标Ⅳ类，无需补偿"},
		{"cross-city main stem, 劣Ⅴ against Ⅳ", Boundary{Section: "兴安", Kind: CrossCity, Upstream: "沈阳市", Downstream: "盘锦市", Target: ClassIV},
			worse, "沈阳市", "盘锦市", 2_200_000,
			"兴安：劣Ⅴ类，目标Ⅳ类，差 2 个类别 × 1,000,000 元 = 2,000,000 元\n劣Ⅴ类另加超标倍数 2 × 100,000 元 = 200,000 元\n沈阳市向盘锦市缴纳 2,200,000 元"},
		{"tributary mouth, one class", Boundary{Section: "胜利塘", Kind: TributaryMouth, Tributary: true, Host: "盘锦市", Target: ClassIV},
			Assess([]Reading{{NH3N, 1.8}}, River, ClassIV), "盘锦市", "辽宁省", 500_000, ""},
		{"sea entry", Boundary{Section: "赵圈河", Kind: SeaEntry, Host: "盘锦市", Target: ClassIII},
			Assess([]Reading{{NH3N, 1.8}}, River, ClassIII), "盘锦市", "辽宁省", 2_000_000, ""},
	}
	for _, c := range cases {
		got := Liaoning2017.Month(c.b, c.a)
		if got.Payer != c.payer || got.Payee != c.payee || got.Amount != c.total {
			t.Errorf("%s: %s pays %s %v, want %s → %s %v", c.name, got.Payer, got.Payee, got.Amount, c.payer, c.payee, c.total)
		}
		if c.steps != "" && got.Explain("zh-Hans") != c.steps {
			t.Errorf("%s: arithmetic\n%s\nwant\n%s", c.name, got.Explain("zh-Hans"), c.steps)
		}
	}
	cst := time.FixedZone("CST", 8*3600)
	if due := Liaoning2017.Due(2024, cst); !due.Equal(time.Date(2025, 4, 1, 0, 0, 0, 0, cst)) {
		t.Errorf("due %v", due)
	}
	if owed := Liaoning2017.Owed(1_000_000, 2024, time.Date(2025, 3, 31, 23, 59, 0, 0, cst)); owed != 1_000_000 {
		t.Errorf("on time: %v", owed)
	}
	if owed := Liaoning2017.Owed(1_000_000, 2024, time.Date(2025, 4, 1, 0, 0, 0, 0, cst)); owed != 1_100_000 {
		t.Errorf("late: %v", owed)
	}
}
