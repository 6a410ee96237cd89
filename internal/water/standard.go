// Package water assesses water quality: surface water under GB 3838-2002 and
// sea water under GB 3097-1997, with the rules of ../shared/design/standards.md
// §1–2 (single-factor classes, the national stations' real-time rule, period
// means, qualitative grades, main pollutants, river and sea-area grades,
// cross-boundary compensation), and reads monitoring data in the national
// release formats and in wide CSV or XLSX files. It holds no state and
// touches no database: storage and views build on its types.
//
// Every result carries why: the deciding items, their values and the limit
// they failed, and exceedance multiples.
package water

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The limits are the standards themselves, shipped with the program; the
// test keeps them equal to ../shared/data.
//
//go:embed standards/*.csv
var standardFiles embed.FS

// Item is a monitored determinand, by its code in the standards' tables:
// "ph", "do", "codmn", "nh3n", "tp", …
type Item string

// The items the rules name.
const (
	WaterTemp     Item = "water_temp"
	PH            Item = "ph"
	DO            Item = "do"
	CODMn         Item = "codmn"
	COD           Item = "cod"
	NH3N          Item = "nh3n"
	TP            Item = "tp"
	TN            Item = "tn"
	FecalColiform Item = "fecal_coliform"
	// Items published by the national stations that no class uses.
	Conductivity Item = "conductivity"
	Turbidity    Item = "turbidity"
	Chlorophyll  Item = "chla"
	AlgalDensity Item = "algae"
)

// Bound says which side of a limit is good.
type Bound uint8

const (
	Upper     Bound = iota // at most the limit
	Lower                  // at least the limit (DO)
	Range                  // between two limits (pH)
	Narrative              // no numeric limit (water temperature)
)

// span is one class's acceptable values, inclusive unless the standard says
// strictly (GB 3097 DO). A class with no limit for the item has ok false:
// any value meets it.
type span struct {
	lo, hi float64
	ok     bool
}

// Limit is one item's row of a standard's table.
type Limit struct {
	Item   Item
	NameZh string
	NameEn string
	Unit   string // mg/L, count/L, °C or dimensionless
	Bound  Bound
	// Strict marks a lower bound the value must exceed, not merely reach.
	Strict  bool
	rank    int    // row in the table
	classes []span // class I first
	lake    []span // lake and reservoir limits, when the item has them
}

// Name is the item's name in lang (Chinese for both Chinese scripts, as the
// standards write them).
func (l *Limit) Name(lang string) string {
	if lang == "en" {
		return l.NameEn
	}
	return l.NameZh
}

// Standard is a classification table: classes I to N, then worse than N.
type Standard struct {
	Name   string
	limits map[Item]*Limit
	order  []Item
	n      int // number of classes with limits
}

// Limit returns the item's row, or nil when the standard has none.
func (s *Standard) Limit(it Item) *Limit { return s.limits[it] }

// Items lists the standard's items in table order.
func (s *Standard) Items() []Item { return s.order }

// GB3838 is GB 3838-2002 Table 1 (surface water, Classes I–V); GB3097 is
// GB 3097-1997 Table 1 (sea water, Classes I–IV).
var (
	GB3838 = mustStandard("GB 3838-2002", "standards/gb3838-2002-table1.csv", 5)
	GB3097 = mustStandard("GB 3097-1997", "standards/gb3097-1997-table1.csv", 4)
)

func mustStandard(name, file string, n int) *Standard {
	b, err := standardFiles.ReadFile(file)
	if err != nil {
		panic(err)
	}
	s, err := parseStandard(name, b, n)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", file, err))
	}
	return s
}

// parseStandard reads a table with the columns item, name_zh, name_en,
// unit, bound, class_I … and, for surface water, lake_class_I ….
func parseStandard(name string, data []byte, n int) (*Standard, error) {
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	roman := []string{"I", "II", "III", "IV", "V"}
	s := &Standard{Name: name, limits: map[Item]*Limit{}, n: n}
	for _, r := range recs[1:] {
		l := &Limit{Item: Item(r[col["item"]]), NameZh: r[col["name_zh"]], NameEn: r[col["name_en"]], Unit: r[col["unit"]]}
		switch r[col["bound"]] {
		case "upper":
			l.Bound = Upper
		case "lower":
			l.Bound = Lower
			l.Strict = strings.Contains(r[col["note"]], "strictly")
		case "range":
			l.Bound = Range
		case "narrative":
			l.Bound = Narrative
		default:
			return nil, fmt.Errorf("%s: bound %q", l.Item, r[col["bound"]])
		}
		for _, prefix := range []string{"class_", "lake_class_"} {
			var spans []span
			for _, rn := range roman[:n] {
				i, has := col[prefix+rn]
				if !has {
					break
				}
				sp, err := parseSpan(l.Bound, r[i])
				if err != nil {
					return nil, fmt.Errorf("%s %s%s: %v", l.Item, prefix, rn, err)
				}
				spans = append(spans, sp)
			}
			if prefix == "class_" {
				l.classes = spans
			} else if len(spans) > 0 && spans[0].ok {
				l.lake = spans
			}
		}
		l.rank = len(s.order)
		s.limits[l.Item] = l
		s.order = append(s.order, l.Item)
	}
	return s, nil
}

func parseSpan(b Bound, cell string) (span, error) {
	if cell == "" {
		return span{}, nil
	}
	if b == Range {
		lo, hi, ok := strings.Cut(cell, "-")
		l, err1 := strconv.ParseFloat(lo, 64)
		h, err2 := strconv.ParseFloat(hi, 64)
		if !ok || err1 != nil || err2 != nil {
			return span{}, fmt.Errorf("range %q", cell)
		}
		return span{l, h, true}, nil
	}
	v, err := strconv.ParseFloat(cell, 64)
	if err != nil {
		return span{}, err
	}
	if b == Lower {
		return span{v, math.Inf(1), true}, nil
	}
	return span{math.Inf(-1), v, true}, nil
}

// spans are the class limits that apply at a site of the given body.
func (l *Limit) spans(body WaterBody) []span {
	if l.lake != nil && body.IsLake() {
		return l.lake
	}
	return l.classes
}

// within reports whether v meets the class limit sp.
func (l *Limit) within(sp span, v float64) bool {
	if !sp.ok {
		return true
	}
	if l.Strict {
		return v > sp.lo && v <= sp.hi
	}
	return v >= sp.lo && v <= sp.hi
}

// grade is the number of the best class whose limit v meets, 1-based, or
// n+1 when it meets none; for the class it failed just before, failed is
// that class's limit (the bound that decided), NaN for class I.
func (l *Limit) grade(v float64, body WaterBody) (class int, failed float64) {
	spans := l.spans(body)
	failed = math.NaN()
	for i, sp := range spans {
		if l.within(sp, v) {
			return i + 1, failed
		}
		switch {
		case !sp.ok:
		case l.Bound == Range && v < sp.lo:
			failed = sp.lo
		case l.Bound == Range:
			failed = sp.hi
		case l.Bound == Lower:
			failed = sp.lo
		default:
			failed = sp.hi
		}
	}
	return len(spans) + 1, failed
}

// classIII is the item's Class III limit at a site of body, for exceedance
// multiples; ok is false for items that have none (pH, DO, temperature).
func (l *Limit) classIII(body WaterBody) (float64, bool) {
	spans := l.spans(body)
	if l.Bound != Upper || len(spans) < 3 || !spans[2].ok {
		return 0, false
	}
	return spans[2].hi, true
}

// Multiple is the exceedance multiple (超标倍数) of v over the item's Class
// III limit, (C − C_III) / C_III, at a site of body; ok is false for items
// without one (pH, DO, water temperature) and for values within Class III.
func (l *Limit) Multiple(v float64, body WaterBody) (float64, bool) {
	lim, ok := l.classIII(body)
	if !ok || v <= lim {
		return 0, false
	}
	return (v - lim) / lim, true
}
