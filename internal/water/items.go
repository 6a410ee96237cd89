package water

import (
	"html"
	"regexp"
	"strings"
)

// itemInfo is how files name an item and in which unit the rules want it.
type itemInfo struct {
	item  Item
	unit  string // canonical unit
	names []string
}

// extraItems are published by the national stations but classed by no
// standard here; they are read and kept.
var extraItems = []itemInfo{
	{Conductivity, "μS/cm", []string{"电导率", "conductivity"}},
	{Turbidity, "NTU", []string{"浊度", "turbidity"}},
	{Chlorophyll, "mg/L", []string{"叶绿素α", "叶绿素a", "叶绿素", "chlorophyll-a", "chlorophyll a", "chla"}},
	{AlgalDensity, "cells/L", []string{"藻密度", "algal density", "algae"}},
}

// itemNames maps every accepted column name, folded, to its item: the
// code, the Chinese and English names of both standards' tables, and a few
// names the national release uses.
var itemNames, itemUnits = func() (map[string]Item, map[Item]string) {
	names, units := map[string]Item{}, map[Item]string{}
	add := func(it Item, unit string, ns ...string) {
		for _, n := range append(ns, string(it)) {
			if _, dup := names[foldName(n)]; !dup {
				names[foldName(n)] = it
			}
		}
		if _, dup := units[it]; !dup {
			units[it] = unit
		}
	}
	for _, std := range []*Standard{GB3838, GB3097} {
		for _, it := range std.order {
			l := std.limits[it]
			add(it, l.Unit, l.NameZh, l.NameEn)
		}
	}
	for _, x := range extraItems {
		add(x.item, x.unit, x.names...)
	}
	add(NH3N, "mg/L", "氨氮", "NH3-N", "ammonia", "nh3_n")
	add(CODMn, "mg/L", "CODMn", "高锰酸盐", "permanganate")
	add(COD, "mg/L", "CODCr", "COD")
	add(TP, "mg/L", "总磷", "TP", "total phosphorus")
	add(TN, "mg/L", "总氮", "TN", "total nitrogen")
	add(DO, "mg/L", "溶解氧", "DO", "dissolved oxygen")
	add(WaterTemp, "°C", "水温", "temperature", "temp")
	return names, units
}()

func foldName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// unitFactors convert a written unit to the canonical one: the value times
// the factor. Only units that measure the same thing convert; anything else
// is refused, never mixed.
var unitFactors = map[string]map[string]float64{
	"mg/L":          {"mg/l": 1, "毫克/升": 1, "μg/l": 0.001, "µg/l": 0.001, "ug/l": 0.001, "微克/升": 0.001},
	"°C":            {"°c": 1, "℃": 1, "c": 1, "摄氏度": 1},
	"dimensionless": {"无量纲": 1, "dimensionless": 1, "": 1},
	"count/L":       {"count/l": 1, "个/l": 1, "mpn/l": 1, "cfu/l": 1},
	"μS/cm":         {"μs/cm": 1, "µs/cm": 1, "us/cm": 1, "ms/cm": 1000},
	"NTU":           {"ntu": 1},
	"cells/L":       {"cells/l": 1, "个/l": 1},
}

// unitFactor is the factor from unit to item's canonical unit; ok is false
// when the unit does not measure the item.
func unitFactor(it Item, unit string) (float64, bool) {
	canon := itemUnits[it]
	u := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(unit), " ", ""))
	if u == "" {
		return 1, true
	}
	f, ok := unitFactors[canon][u]
	return f, ok
}

var (
	tagPattern  = regexp.MustCompile(`<[^<>]*>`)
	unitPattern = regexp.MustCompile(`^(.*?)\s*[(（]([^()（）]*)[)）]\s*$`)
)

// parseHeader splits a column header such as "总磷(mg/L)" or the release's
// "溶解氧<br/><span class='unit'>(mg/L)</span>" into its name and unit.
func parseHeader(h string) (name, unit string) {
	h = strings.TrimSpace(html.UnescapeString(tagPattern.ReplaceAllString(h, "")))
	if m := unitPattern.FindStringSubmatch(h); m != nil {
		return strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
	}
	return h, ""
}

// ItemByName finds the item a column name means.
func ItemByName(name string) (Item, bool) {
	it, ok := itemNames[foldName(name)]
	return it, ok
}
