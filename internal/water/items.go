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

// conversion turns a value in a written unit into the canonical unit:
// times mul, divided by div (dividing by 1000 keeps 350 μg/L exactly 0.35).
type conversion struct{ mul, div float64 }

func (c conversion) apply(v float64) float64 { return v * c.mul / c.div }

var same = conversion{1, 1}

// unitConversions are the written units accepted per canonical unit. Only
// units that measure the same thing convert; anything else is refused,
// never mixed.
var unitConversions = map[string]map[string]conversion{
	"mg/L":          {"mg/l": same, "毫克/升": same, "μg/l": {1, 1000}, "µg/l": {1, 1000}, "ug/l": {1, 1000}, "微克/升": {1, 1000}},
	"°C":            {"°c": same, "℃": same, "摄氏度": same},
	"dimensionless": {"无量纲": same, "dimensionless": same},
	"count/L":       {"count/l": same, "个/l": same, "mpn/l": same, "cfu/l": same},
	"μS/cm":         {"μs/cm": same, "µs/cm": same, "us/cm": same, "ms/cm": {1000, 1}},
	"NTU":           {"ntu": same},
	"cells/L":       {"cells/l": same, "个/l": same},
}

// unitConversion converts unit to item's canonical unit; ok is false when
// the unit does not measure the item. No unit means the canonical one.
func unitConversion(it Item, unit string) (conversion, bool) {
	u := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(unit), " ", ""))
	if u == "" {
		return same, true
	}
	c, ok := unitConversions[itemUnits[it]][u]
	return c, ok
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

// UnitOf is the unit values of it are read into and kept in: the unit of
// the standards' table, or the one the national release uses for items no
// table classes.
func UnitOf(it Item) string { return itemUnits[it] }

// Convert turns v, written in unit, into it's unit (UnitOf); ok is false
// when unit does not measure it. No unit means UnitOf(it).
func Convert(it Item, unit string, v float64) (float64, bool) {
	c, ok := unitConversion(it, unit)
	return c.apply(v), ok
}
