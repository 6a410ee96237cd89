package water

import (
	"strings"

	"concord/internal/i18n"
)

// Class is a surface-water class: ClassI … ClassV, WorseThanV (劣Ⅴ), or
// NoClass when nothing was assessed. Higher is worse.
type Class uint8

const (
	NoClass Class = iota
	ClassI
	ClassII
	ClassIII
	ClassIV
	ClassV
	WorseThanV
)

var classNames = []string{"", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ"}

// String is the class as published: Ⅰ … Ⅴ, 劣Ⅴ (Unicode Roman numerals), or
// "" for NoClass.
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "?"
}

// ParseClass reads a class written with Unicode Roman numerals (Ⅰ, 劣Ⅴ), in
// ASCII (I, III, 劣V), as an Arabic digit (1–5, 6 for worse than V) or in
// words (Ⅲ类, 劣五类). ok is false for anything else, "" included.
func ParseClass(s string) (Class, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "Class "), "类")
	worse := false
	for _, p := range []string{"劣", "worse than ", ">"} {
		if strings.HasPrefix(s, p) {
			worse, s = true, strings.TrimPrefix(s, p)
		}
	}
	for i, names := range [][]string{{"Ⅰ", "I", "1", "一"}, {"Ⅱ", "II", "2", "二"}, {"Ⅲ", "III", "3", "三"}, {"Ⅳ", "IV", "4", "四"}, {"Ⅴ", "V", "5", "五"}, {"6"}} {
		for _, n := range names {
			if strings.EqualFold(s, n) {
				c := Class(i + 1)
				switch {
				case worse && c == ClassV:
					return WorseThanV, true
				case worse:
					return NoClass, false
				}
				return c, true
			}
		}
	}
	return NoClass, false
}

// Grade is the qualitative grade of a section, river or basin (§1.2, §1.3).
type Grade uint8

const (
	NoGrade    Grade = iota
	Excellent        // 优
	Good             // 良好
	Slightly         // 轻度污染
	Moderately       // 中度污染
	Heavily          // 重度污染
)

// Name is the grade in lang.
func (g Grade) Name(lang string) string {
	return i18n.T(lang, "water.grade."+[]string{"none", "excellent", "good", "slight", "moderate", "heavy"}[g])
}

// GradeOf is a section's qualitative grade from its class: Ⅰ–Ⅱ 优, Ⅲ 良好,
// Ⅳ 轻度污染, Ⅴ 中度污染, 劣Ⅴ 重度污染.
func GradeOf(c Class) Grade {
	switch c {
	case ClassI, ClassII:
		return Excellent
	case ClassIII:
		return Good
	case ClassIV:
		return Slightly
	case ClassV:
		return Moderately
	case WorseThanV:
		return Heavily
	}
	return NoGrade
}

// WaterBody is what kind of water a station samples. Lakes and reservoirs
// take the lake limits of total phosphorus; river-type reservoirs count as
// rivers.
type WaterBody string

const (
	River              WaterBody = "river"
	Lake               WaterBody = "lake"
	Reservoir          WaterBody = "reservoir"
	RiverTypeReservoir WaterBody = "river_reservoir"
	Sea                WaterBody = "sea"
)

// WaterBodies lists the kinds a stations file may name.
var WaterBodies = []WaterBody{River, Lake, Reservoir, RiverTypeReservoir, Sea}

// IsLake reports whether the lake and reservoir limits apply.
func (w WaterBody) IsLake() bool { return w == Lake || w == Reservoir }

// ParseWaterBody reads a water-body type by code or by its Chinese name.
func ParseWaterBody(s string) (WaterBody, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "river", "河流", "河":
		return River, true
	case "lake", "湖泊", "湖":
		return Lake, true
	case "reservoir", "水库", "库":
		return Reservoir, true
	case "river_reservoir", "river-type reservoir", "河道型水库":
		return RiverTypeReservoir, true
	case "sea", "海", "近岸海域":
		return Sea, true
	}
	return "", false
}

// Status is a station's state when a sample was taken.
type Status uint8

const (
	Normal      Status = iota // 正常
	Maintenance               // 维护
	Stopped                   // 停站, 不具备运行条件
)

// ParseStatus reads a station status as published; "" is normal.
func ParseStatus(s string) (Status, bool) {
	switch strings.TrimSpace(s) {
	case "", "正常", "normal":
		return Normal, true
	case "维护", "maintenance":
		return Maintenance, true
	case "停站", "不具备运行条件", "stopped":
		return Stopped, true
	}
	return Normal, false
}
