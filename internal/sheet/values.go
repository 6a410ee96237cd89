package sheet

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"
)

// isBlank is unicode's white space plus the invisible characters that come
// with text pasted from the web.
func isBlank(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// clean trims white space, full-width and invisible spaces included.
func clean(s string) string { return strings.TrimFunc(s, isBlank) }

// fold is clean with full-width letters, digits and signs made ASCII:
// "１２．５％" → "12.5%".
func fold(s string) string { return clean(width.Fold.String(s)) }

// normalize is the form in which headers, options and names are compared:
// folded, lower case, without white space, so that "截止\n日期" (a header
// wrapped in its cell) is "截止日期".
func normalize(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(fold(s)), isBlank), "")
}

// normalizeHeader is normalize without the "*" that marks a required column.
func normalizeHeader(s string) string {
	return normalize(strings.Trim(fold(s), "* \t"))
}

// shorten keeps values quoted in messages readable.
func shorten(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return s
}

// maxExact is the largest integer a float64 holds exactly.
const maxExact = 1 << 53

// formatNumber shows a number as Excel does, to 15 significant digits and
// without an exponent: 0.30000000000000004 → "0.3".
func formatNumber(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// parseNumber reads a number as people type it: optional sign, digits with
// optional thousands separators, a decimal point, an exponent. Folded input
// only; no hex, no Inf or NaN, no decimal comma.
func parseNumber(s string) (float64, bool) {
	s = strings.ReplaceAll(s, "\u2212", "-") // the minus sign
	if s == "" || strings.Trim(s, "0123456789+-.eE,") != "" {
		return 0, false
	}
	if strings.Contains(s, ",") {
		var ok bool
		if s, ok = ungroup(s); !ok {
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && !math.IsInf(v, 0)
}

// ungroup removes thousands separators, which must sit every three digits
// of the integer part: "1,234,567.5" → "1234567.5"; "1,5" is refused.
func ungroup(s string) (string, bool) {
	sign := ""
	if s[0] == '+' || s[0] == '-' {
		sign, s = s[:1], s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	groups := strings.Split(whole, ",")
	for i, g := range groups {
		if len(g) > 3 || len(g) == 0 || (i > 0 && len(g) != 3) || strings.Trim(g, "0123456789") != "" {
			return "", false
		}
	}
	s = sign + strings.Join(groups, "")
	if dot {
		s += "." + frac
	}
	return s, !strings.Contains(frac, ",")
}

// parseInt reads a whole number; "12.0" is twelve, "12.5" is refused.
func parseInt(s string) (int64, bool) {
	v, ok := parseNumber(s)
	if !ok || v != math.Trunc(v) {
		return 0, false
	}
	if math.Abs(v) < maxExact {
		return int64(v), true
	}
	i, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64) // beyond float precision
	return i, err == nil
}

// Serial numbers of 1990-01-01 and 2100-12-31: a number in a date column
// that is not formatted as a date (or a number written as text) is taken
// for a date only in this range, as Excel shows a date pasted into a
// General cell; 1 to 32873 are far likelier counts than dates in the 1900s.
const (
	plausibleFrom = 32874
	plausibleTo   = 73415
	serialMax     = 2958465 // 9999-12-31
)

func plausible(serial float64) bool {
	return serial >= plausibleFrom && serial < plausibleTo+1
}

// fromSerial converts an Excel serial day number to its date (UTC), time of
// day dropped. In the 1900 system serial 60 is the 29 February 1900 that
// never was, so days before it are one off.
func fromSerial(v float64, date1904 bool) (time.Time, bool) {
	days := math.Floor(v)
	if days < 1 || days > serialMax || (!date1904 && days == 60) {
		return time.Time{}, false
	}
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days < 60:
		base = base.AddDate(0, 0, 1)
	}
	return base.AddDate(0, 0, int(days)), true
}

// toSerial is the 1900-system serial of a date on or after 1 March 1900.
func toSerial(t time.Time) float64 {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return math.Round(d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// dateLayouts are the written dates accepted, after folding: 2024-03-31,
// 2024/3/31, 2024.3.31, 2024年3月31日 (one- or two-digit months and days).
var dateLayouts = []string{"2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日"}

// timeLayouts are times of day that may follow a written date and are dropped.
var timeLayouts = []string{"15:04", "15:04:05", "15:04:05.999999999", "15:04Z07:00", "15:04:05Z07:00", "15:04:05.999999999Z07:00"}

// parseDate reads a written date; see dateLayouts. Eight digits are read as
// yyyymmdd (20240331), which no serial number reaches.
func parseDate(s string) (time.Time, bool) {
	s = fold(s)
	if i := strings.IndexAny(s, " T"); i > 0 && isTime(clean(s[i+1:])) {
		s = s[:i]
	}
	s = strings.Join(strings.FieldsFunc(s, isBlank), "")
	layouts := dateLayouts
	if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
		layouts = []string{"20060102"}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil && t.Year() >= 1900 {
			return t, true
		}
	}
	return time.Time{}, false
}

func isTime(s string) bool {
	for _, l := range timeLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
}

// formatDate shows a serial date in a text column as ISO, with the time of
// day when there is one, or the time alone for a time-only value.
func formatDate(v float64, date1904 bool) (string, bool) {
	day, ok := fromSerial(v, date1904)
	if !ok && !(v >= 0 && v < 1) {
		return "", false
	}
	secs := int(math.Round((v - math.Floor(v)) * 86400))
	clock := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(secs) * time.Second).Format("15:04:05")
	switch {
	case !ok:
		return clock, true
	case secs == 0:
		return day.Format(time.DateOnly), true
	case secs == 86400:
		return day.AddDate(0, 0, 1).Format(time.DateOnly), true
	}
	return day.Format(time.DateOnly) + " " + clock, true
}

// yes and no are the answers a Bool column takes besides the catalogue's
// words for yes and no in each language.
var yes, no = []string{"是", "对", "對", "y", "yes", "true", "1", "√", "✓", "✔"},
	[]string{"否", "不是", "错", "錯", "n", "no", "false", "0", "×", "✗", "✘"}
