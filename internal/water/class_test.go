package water

import (
	"bytes"
	"math"
	"os"
	"strings"
	"testing"
)

// The embedded tables are the shared data's, byte for byte.
func TestStandardsMatchSharedData(t *testing.T) {
	for _, name := range []string{"gb3838-2002-table1.csv", "gb3097-1997-table1.csv"} {
		shared, err := os.ReadFile("../../../shared/data/" + name)
		if err != nil {
			t.Skip("../shared/data is absent")
		}
		ours, err := standardFiles.ReadFile("standards/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ours, shared) {
			t.Errorf("standards/%s differs from ../shared/data/%s", name, name)
		}
	}
	if n := len(PeriodScope.Items()); n != 21 {
		t.Errorf("%d river items, want 21", n)
	}
	if len(GB3838.Items()) != 24 || len(GB3097.Items()) != 24 {
		t.Errorf("items: %d surface, %d sea", len(GB3838.Items()), len(GB3097.Items()))
	}
}

func TestClassBoundaries(t *testing.T) {
	up := math.Nextafter
	cases := []struct {
		std   *Standard
		item  Item
		body  WaterBody
		value float64
		want  Class
	}{
		// Limits are inclusive; upper bounds.
		{GB3838, NH3N, River, 0.15, ClassI},
		{GB3838, NH3N, River, up(0.15, 1), ClassII},
		{GB3838, NH3N, River, 0.5, ClassII},
		{GB3838, NH3N, River, 1.0, ClassIII},
		{GB3838, NH3N, River, 1.5, ClassIV},
		{GB3838, NH3N, River, 2.0, ClassV},
		{GB3838, NH3N, River, up(2.0, 3), WorseThanV},
		{GB3838, CODMn, River, 2, ClassI},
		{GB3838, CODMn, River, 4, ClassII},
		{GB3838, CODMn, River, 6, ClassIII},
		{GB3838, CODMn, River, 10, ClassIV},
		{GB3838, CODMn, River, 15, ClassV},
		{GB3838, CODMn, River, 15.01, WorseThanV},
		{GB3838, COD, River, 15, ClassI}, // Classes I and II share 15
		{GB3838, COD, River, 15.5, ClassIII},
		{GB3838, "hg", River, 0.00005, ClassI},
		{GB3838, "hg", River, 0.00006, ClassIII},
		{GB3838, "cu", River, 1.0, ClassII},
		{GB3838, "cu", River, 1.01, WorseThanV},
		// TP: river limits, lake and reservoir limits; river-type reservoirs are rivers.
		{GB3838, TP, River, 0.2, ClassIII},
		{GB3838, TP, River, up(0.2, 1), ClassIV},
		{GB3838, TP, Lake, 0.01, ClassI},
		{GB3838, TP, Lake, 0.025, ClassII},
		{GB3838, TP, Lake, 0.05, ClassIII},
		{GB3838, TP, Reservoir, 0.1, ClassIV},
		{GB3838, TP, Reservoir, 0.2, ClassV},
		{GB3838, TP, Lake, 0.21, WorseThanV},
		{GB3838, TP, RiverTypeReservoir, 0.2, ClassIII},
		// DO is a lower bound.
		{GB3838, DO, River, 7.5, ClassI},
		{GB3838, DO, River, up(7.5, 0), ClassII},
		{GB3838, DO, River, 6, ClassII},
		{GB3838, DO, River, 5, ClassIII},
		{GB3838, DO, River, 3, ClassIV},
		{GB3838, DO, River, 2, ClassV},
		{GB3838, DO, River, up(2, 0), WorseThanV},
		// pH 6–9 for every class; outside is worse than V.
		{GB3838, PH, River, 6, ClassI},
		{GB3838, PH, River, 9, ClassI},
		{GB3838, PH, River, up(9, 10), WorseThanV},
		{GB3838, PH, River, 5.99, WorseThanV},
		{GB3838, FecalColiform, River, 10000, ClassIII},
		// Sea: DO strictly above, pH ranges per class, worse than IV.
		{GB3097, DO, Sea, 6, ClassII},
		{GB3097, DO, Sea, 6.01, ClassI},
		{GB3097, DO, Sea, 3, ClassV},
		{GB3097, PH, Sea, 8.5, ClassI},
		{GB3097, PH, Sea, 8.6, ClassIII},
		{GB3097, PH, Sea, 8.9, ClassV},
		{GB3097, "po4p", Sea, 0.015, ClassI},
		{GB3097, "po4p", Sea, 0.030, ClassII},
		{GB3097, "po4p", Sea, 0.031, ClassIV},
		{GB3097, "po4p", Sea, 0.046, ClassV},
		{GB3097, "din", Sea, 0.5, ClassIV},
		{GB3097, "total_coliform", Sea, 20000, ClassIV}, // no Class IV limit
	}
	for _, c := range cases {
		r := c.std.Scope(c.item).Classify([]Reading{{c.item, c.value}}, c.body)
		if r.Class != c.want {
			t.Errorf("%s %s %v at a %s site: class %s, want %s", c.std.Name, c.item, c.value, c.body, c.std.ClassName(r.Class), c.std.ClassName(c.want))
		}
	}
}

// Every limit of every upper-bound item: the limit itself is in the best
// class that allows it, a hair above is in the next class that does.
func TestEveryUpperLimit(t *testing.T) {
	for _, std := range []*Standard{GB3838, GB3097} {
		for _, it := range std.Items() {
			l := std.Limit(it)
			if l.Bound != Upper {
				continue
			}
			for _, body := range []WaterBody{River, Lake} {
				spans := l.spans(body)
				for _, sp := range spans {
					if !sp.ok {
						continue
					}
					for _, v := range []float64{sp.hi, math.Nextafter(sp.hi, 1)} {
						want := Class(len(spans) + 1)
						for j, s := range spans {
							if !s.ok || v <= s.hi {
								want = Class(j + 1)
								break
							}
						}
						if got, _ := l.grade(v, body); Class(got) != want {
							t.Errorf("%s %s %v (%s): %d, want %d", std.Name, it, v, body, got, want)
						}
					}
				}
			}
		}
	}
}

func TestRealTimeRule(t *testing.T) {
	s := Sample{Values: []Reading{{PH, 7.5}, {DO, 8}, {CODMn, 3}, {NH3N, 0.2}, {TP, 0.15}, {TN, 9}, {WaterTemp, 20}}}
	r := RealTime(s, River)
	if r.Class != ClassIII || r.Deciding[0].Item != TP {
		t.Fatalf("river: %s by %v, want Ⅲ by TP", r.Class, r.Deciding)
	}
	if got := r.Explain(GB3838, "en"); !strings.Contains(got, "total phosphorus") || !strings.Contains(got, "0.15") {
		t.Errorf("explanation %q", got)
	}
	if r := RealTime(s, Lake); r.Class != ClassV {
		t.Errorf("lake: %s, want Ⅴ (TN is not classed)", r.Class)
	}
	s.Values = []Reading{{PH, 9.3}, {DO, 8}}
	if r := RealTime(s, River); r.Class != WorseThanV || r.Deciding[0].Item != PH {
		t.Errorf("pH 9.3: %s", r.Class)
	}
	s.Values = []Reading{{CODMn, 3}} // items missing are left out
	if r := RealTime(s, River); r.Class != ClassII {
		t.Errorf("CODMn only: %s", r.Class)
	}
	s.Values = nil
	if r := RealTime(s, River); r.Class != NoClass || r.Explain(GB3838, "en") != "no item to assess" {
		t.Errorf("no items: %s", r.Class)
	}
	for _, st := range []Status{Maintenance, Stopped} {
		s := Sample{Status: st, Values: []Reading{{CODMn, 3}}}
		if r := RealTime(s, River); r.Class != NoClass || r.Status != st {
			t.Errorf("status %d: %s", st, r.Class)
		}
	}
}

func TestSuspectValues(t *testing.T) {
	cases := []struct {
		item  Item
		value float64
		why   string
	}{
		{NH3N, -0.01, "water.suspect.negative"},
		{NH3N, 0, ""},
		{PH, 14.5, "water.suspect.ph"},
		{PH, -1, "water.suspect.ph"},
		{PH, 14, ""},
		{DO, 25.1, "water.suspect.do"},
		{DO, 25, ""},
		{WaterTemp, -3, "water.suspect.temperature"},
		{WaterTemp, -1, ""},
		{TP, math.NaN(), "water.suspect.not_number"},
	}
	for _, c := range cases {
		if got := Check(c.item, c.value); got != c.why {
			t.Errorf("%s %v: %q, want %q", c.item, c.value, got, c.why)
		}
	}
	r := RealTime(Sample{Values: []Reading{{CODMn, 3}, {NH3N, -1}, {DO, 40}}}, River)
	if r.Class != ClassII || len(r.Suspects) != 2 {
		t.Errorf("suspects are left out and listed: %s, %v", r.Class, r.Suspects)
	}
}

func TestParseClass(t *testing.T) {
	for in, want := range map[string]Class{"Ⅰ": ClassI, "III": ClassIII, "Ⅲ类": ClassIII, "4": ClassIV, "劣Ⅴ": WorseThanV, "劣V": WorseThanV, "劣五类": WorseThanV, "Class II": ClassII} {
		if got, ok := ParseClass(in); !ok || got != want {
			t.Errorf("%q: %s %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "Ⅵ", "劣Ⅲ", "x"} {
		if _, ok := ParseClass(in); ok {
			t.Errorf("%q read as a class", in)
		}
	}
	for c := ClassI; c <= WorseThanV; c++ {
		if got, ok := ParseClass(c.String()); !ok || got != c {
			t.Errorf("round trip of %s", c)
		}
	}
	if GB3097.ClassName(ClassV) != "劣Ⅳ" || GB3838.ClassName(WorseThanV) != "劣Ⅴ" {
		t.Error("class names")
	}
}

func TestGradeOf(t *testing.T) {
	want := map[Class]string{ClassI: "优", ClassII: "优", ClassIII: "良好", ClassIV: "轻度污染", ClassV: "中度污染", WorseThanV: "重度污染"}
	for c, name := range want {
		if got := GradeOf(c).Name("zh-Hans"); got != name {
			t.Errorf("%s: %s, want %s", c, got, name)
		}
	}
}
