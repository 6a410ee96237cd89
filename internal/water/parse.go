package water

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"concord/internal/i18n"
)

// Options say how to read times the file leaves incomplete. Nothing is
// guessed: a time without a year needs Year, one without a zone needs Zone.
type Options struct {
	File string         // named in problems
	Year int            // for times written MM-DD HH:MM, as the national release does
	Zone *time.Location // for times written without a zone
	// MaxProblems caps the problems kept (all are counted); default 1,000.
	MaxProblems int
}

// Problem is one thing wrong with a row or cell of a file.
type Problem struct {
	File   string
	Row    int    // 1-based line of a CSV, row of a sheet, or tbody index + 1 of a release
	Column string // the column's header, "" for the row
	Key    string // catalogue key
	Args   []any
}

// Text is the problem in lang, where first.
func (p Problem) Text(lang string) string {
	msg := i18n.T(lang, p.Key, p.Args...)
	switch {
	case p.Column != "":
		return i18n.T(lang, "water.at.cell", p.File, p.Row, p.Column, msg)
	case p.Row > 0:
		return i18n.T(lang, "water.at.row", p.File, p.Row, msg)
	}
	return i18n.T(lang, "water.at.file", p.File, msg)
}

func (p Problem) Error() string { return p.Text("en") }

// Summary is what reading a file found besides its samples.
type Summary struct {
	Samples    int // samples passed on
	Duplicates int // rows repeating an earlier row exactly, skipped
	Problems   []Problem
	// MoreProblems counts problems beyond Options.MaxProblems.
	MoreProblems int
}

// OK reports whether the file read without a problem.
func (s Summary) OK() bool { return len(s.Problems) == 0 }

// column kinds of a monitoring table besides items.
type colKind uint8

const (
	colItem colKind = iota
	colProvince
	colBasin
	colSection
	colTime
	colClass
	colStatus
	colIgnored
)

var metaNames = map[string]colKind{
	"省份": colProvince, "province": colProvince, "省": colProvince,
	"流域": colBasin, "basin": colBasin,
	"断面名称": colSection, "断面": colSection, "section": colSection, "站点名称": colSection, "station": colSection,
	"监测时间": colTime, "time": colTime, "时间": colTime, "采样时间": colTime,
	"水质类别": colClass, "class": colClass, "类别": colClass,
	"站点情况": colStatus, "status": colStatus, "站点状态": colStatus,
}

type column struct {
	kind   colKind
	header string
	item   Item
	conv   conversion
}

// table turns rows of cells into samples: header recognition, value
// parsing, duplicate and conflict detection. The CSV, XLSX and release
// readers all feed it.
type table struct {
	opt  Options
	cols []column
	sum  Summary
	emit func(Sample) error
	seen map[string]*seenTimes // by province and section
	// the station of the previous row, whose times are last
	lastProvince, lastSection string
	last                      *seenTimes
	seed                      maphash.Seed
	hasTime                   bool
	hasSect                   bool
	nItems                    int
	layout                    int    // index in timeLayouts of the last time read
	buf                       []byte // for hashing
}

func newTable(opt Options, emit func(Sample) error) *table {
	if opt.MaxProblems <= 0 {
		opt.MaxProblems = 1000
	}
	return &table{opt: opt, emit: emit, seen: map[string]*seenTimes{}, seed: maphash.MakeSeed()}
}

func (t *table) problem(row int, col, key string, args ...any) {
	if len(t.sum.Problems) >= t.opt.MaxProblems {
		t.sum.MoreProblems++
		return
	}
	t.sum.Problems = append(t.sum.Problems, Problem{File: t.opt.File, Row: row, Column: col, Key: key, Args: args})
}

// header reads the header row; a problem here is fatal to the file.
func (t *table) header(row int, cells []string) error {
	seen := map[string]int{}
	for i, h := range cells {
		name, unit := parseHeader(h)
		c := column{header: name, kind: colIgnored}
		if k, ok := metaNames[foldName(name)]; ok {
			c.kind = k
		} else if it, ok := ItemByName(name); ok {
			conv, ok := unitConversion(it, unit)
			if !ok {
				return Problem{File: t.opt.File, Row: row, Column: h, Key: "water.error.unit", Args: []any{unit, name, itemUnits[it]}}
			}
			c.kind, c.item, c.conv = colItem, it, conv
		} else if strings.TrimSpace(h) != "" {
			return Problem{File: t.opt.File, Row: row, Column: h, Key: "water.error.unknown_column", Args: []any{h}}
		}
		key := fmt.Sprint(c.kind, c.item)
		if c.kind != colIgnored {
			if j, dup := seen[key]; dup {
				return Problem{File: t.opt.File, Row: row, Column: h, Key: "water.error.duplicate_column", Args: []any{h, cells[j]}}
			}
			seen[key] = i
		}
		t.hasTime = t.hasTime || c.kind == colTime
		t.hasSect = t.hasSect || c.kind == colSection
		if c.kind == colItem {
			t.nItems++
		}
		t.cols = append(t.cols, c)
	}
	for _, need := range []struct {
		ok   bool
		name string
	}{{t.hasSect, "断面名称"}, {t.hasTime, "监测时间"}} {
		if !need.ok {
			return Problem{File: t.opt.File, Row: row, Key: "water.error.missing_column", Args: []any{need.name}}
		}
	}
	return nil
}

// row reads one data row; its problems are listed and the row skipped.
func (t *table) row(row int, cells []string) error {
	if len(cells) > len(t.cols) {
		for _, c := range cells[len(t.cols):] {
			if strings.TrimSpace(c) != "" {
				t.problem(row, "", "water.error.extra_cells", len(t.cols))
				return nil
			}
		}
	}
	s := Sample{Row: row, Values: make([]Reading, 0, t.nItems)}
	bad := false
	var timeText string
	for i, c := range t.cols {
		if i >= len(cells) {
			break
		}
		cell := cells[i]
		// Values are checked for encoding only when they are not numbers.
		if c.kind != colItem && !utf8.ValidString(cell) {
			t.problem(row, c.header, "water.error.encoding")
			bad = true
			continue
		}
		text, display, key := cellText(cell)
		if key != "" {
			t.problem(row, c.header, key, shorten(cell))
			bad = true
			continue
		}
		switch c.kind {
		case colProvince:
			s.Province = text
		case colBasin:
			s.Basin = text
		case colSection:
			s.Section = text
		case colTime:
			timeText = text
		case colClass:
			if !missing(text) {
				cl, ok := ParseClass(text)
				if !ok {
					t.problem(row, c.header, "water.error.class", text)
					bad = true
				}
				s.Published = cl
			}
		case colStatus:
			st, ok := ParseStatus(text)
			if !ok {
				t.problem(row, c.header, "water.error.status", text)
				bad = true
			}
			s.Status = st
		case colItem:
			if missing(text) {
				continue
			}
			v, err := number(text)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				if display != "" {
					text = display
				}
				if !utf8.ValidString(text) {
					t.problem(row, c.header, "water.error.encoding")
				} else {
					t.problem(row, c.header, "water.error.number", text)
				}
				bad = true
				continue
			}
			s.Values = append(s.Values, Reading{c.item, c.conv.apply(v)})
		}
	}
	if s.Section == "" {
		t.problem(row, "", "water.error.no_section")
		return nil
	}
	if missing(timeText) {
		if s.Status == Normal {
			t.problem(row, "", "water.error.no_time")
			return nil
		}
	} else {
		tm, key := parseTime(timeText, t.opt, &t.layout)
		if key != "" {
			t.problem(row, "", key, timeText)
			return nil
		}
		s.Time = tm
	}
	if bad {
		return nil
	}
	if !s.Time.IsZero() && t.duplicate(row, s) {
		return nil
	}
	t.sum.Samples++
	return t.emit(s)
}

// seenTimes are one station's sample times read so far, sorted, with a
// hash of each sample's values. Files list a station's samples in time
// order, so adding is an append; one out of order is a binary search.
type seenTimes struct {
	times []int64
	vals  []uint64
}

// duplicate reports whether s repeats a station and time already read:
// an exact repeat is counted, one with other values is a conflict, listed,
// and the first kept.
func (t *table) duplicate(row int, s Sample) bool {
	if t.last == nil || s.Province != t.lastProvince || s.Section != t.lastSection {
		key := s.Province + "\x00" + s.Section
		if t.last = t.seen[key]; t.last == nil {
			t.last = &seenTimes{}
			t.seen[key] = t.last
		}
		t.lastProvince, t.lastSection = s.Province, s.Section
	}
	b := append(t.buf[:0], byte(s.Status), byte(s.Published))
	for _, r := range s.Values {
		b = append(b, r.Item...)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.Value))
	}
	vals := maphash.Bytes(t.seed, b)
	t.buf = b
	st, at := t.last, s.Time.UnixNano()
	n := len(st.times)
	if n == 0 || st.times[n-1] < at {
		st.times, st.vals = append(st.times, at), append(st.vals, vals)
		return false
	}
	i, found := slices.BinarySearch(st.times, at)
	switch {
	case !found:
		st.times, st.vals = slices.Insert(st.times, i, at), slices.Insert(st.vals, i, vals)
		return false
	case st.vals[i] == vals:
		t.sum.Duplicates++
	default:
		t.problem(row, "", "water.error.conflict", s.Section, s.Time.Format("2006-01-02 15:04"))
	}
	return true
}

// missing reports whether a cell says "no value": blank, *, -, --, —.
func missing(s string) bool {
	switch s {
	case "", "*", "-", "--", "—", "/":
		return true
	}
	return false
}

// cellText is a cell's value. The national release writes values as
// <span … title='原始值：7.5685'>7.57</span>: the raw value in the title is
// the one to use, the element text is rounded for display. A section is a
// span whose text is the name. key names the problem with a cell holding
// broken markup or JSON.
func cellText(cell string) (text, display, key string) {
	if plain(cell) {
		return cell, "", ""
	}
	cell = strings.TrimSpace(cell)
	if strings.HasPrefix(cell, "{") || strings.HasPrefix(cell, "[") {
		return "", "", "water.error.json_cell"
	}
	if !strings.ContainsAny(cell, "<>") {
		return cell, "", ""
	}
	open := strings.Index(cell, ">")
	end := strings.LastIndex(cell, "</")
	if !strings.HasPrefix(cell, "<") || open < 0 || end < open || !strings.HasSuffix(cell, ">") {
		return "", "", "water.error.html_cell"
	}
	inner := cell[open+1 : end]
	if strings.ContainsAny(inner, "<>") {
		return "", "", "water.error.html_cell"
	}
	display = strings.TrimSpace(html.UnescapeString(inner))
	attrs := html.UnescapeString(cell[:open])
	if i := strings.Index(attrs, "原始值"); i >= 0 {
		raw := strings.TrimLeft(attrs[i+len("原始值"):], "：: ")
		if j := strings.IndexAny(raw, "'\""); j >= 0 {
			raw = raw[:j]
		}
		return strings.TrimSpace(raw), display, ""
	}
	return display, display, ""
}

// timeLayouts are the sample times read: RFC 3339, times without a zone
// (read in Options.Zone) and the release's MM-DD HH:MM (in Options.Year too).
var timeLayouts = []struct {
	layout         string
	noZone, noYear bool
}{
	{time.RFC3339, false, false},
	{"2006-01-02 15:04", true, false},
	{"2006-01-02 15:04:05", true, false},
	{"2006/1/2 15:04", true, false},
	{"2006/1/2 15:04:05", true, false},
	{"2006-01-02T15:04:05", true, false},
	{"2006-01-02T15:04", true, false},
	{"01-02 15:04", true, true},
}

// special marks the bytes that make a cell more than plain text: markup,
// JSON, and surrounding space.
var special = func() (t [256]bool) {
	for _, c := range "<>{}[] \t\r\n\v\f" {
		t[c] = true
	}
	return t
}()

// plain reports whether a cell is a bare value, the common case, in one
// pass (space inside is fine, not at either end).
func plain(cell string) bool {
	for i := 0; i < len(cell); i++ {
		if c := cell[i]; special[c] && (c != ' ' || i == 0 || i == len(cell)-1) {
			return false
		}
	}
	return true
}

// parseTime reads a sample time, trying first the layout that read the
// previous one (*hint).
func parseTime(s string, opt Options, hint *int) (time.Time, string) {
	s = strings.TrimSpace(s)
	if t, ok := quickTime(s, opt); ok {
		return t, ""
	}
	for n := range timeLayouts {
		i := (n + *hint) % len(timeLayouts)
		l := timeLayouts[i]
		t, err := time.Parse(l.layout, s)
		if err != nil {
			continue
		}
		*hint = i
		switch {
		case l.noYear && opt.Year == 0:
			return time.Time{}, "water.error.no_year"
		case l.noZone && opt.Zone == nil:
			return time.Time{}, "water.error.no_zone"
		case !l.noZone:
			return t, ""
		}
		year := t.Year()
		if l.noYear {
			year = opt.Year
		}
		d := time.Date(year, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, opt.Zone)
		if d.Day() != t.Day() { // 02-29 in a common year
			return time.Time{}, "water.error.time"
		}
		return d, ""
	}
	return time.Time{}, "water.error.time"
}

// quickTime reads the two layouts of bulk files, 2006-01-02 15:04 and the
// release's 01-02 15:04, without time.Parse when the options cover them;
// ok is false for anything else, which parseTime then reads.
func quickTime(s string, opt Options) (time.Time, bool) {
	year := opt.Year
	switch {
	case opt.Zone == nil:
		return time.Time{}, false
	case len(s) == 16 && s[4] == '-':
		y, ok := digits(s[:4])
		if !ok {
			return time.Time{}, false
		}
		year, s = y, s[5:]
	case len(s) != 11 || year == 0:
		return time.Time{}, false
	}
	if s[2] != '-' || s[5] != ' ' || s[8] != ':' {
		return time.Time{}, false
	}
	mo, ok1 := digits(s[0:2])
	d, ok2 := digits(s[3:5])
	h, ok3 := digits(s[6:8])
	mi, ok4 := digits(s[9:11])
	if !ok1 || !ok2 || !ok3 || !ok4 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(mo), d, h, mi, 0, 0, opt.Zone)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// number reads a value. A plain decimal of at most 15 digits, nearly
// every cell of a monitoring file, is its digits as an integer divided by
// a power of ten: both exact in a float64, so the one rounding of the
// division gives what strconv.ParseFloat gives, at a fraction of its cost.
// Anything else is strconv.ParseFloat's.
func number(s string) (float64, error) {
	i, neg := 0, false
	if len(s) > 0 && s[0] == '-' {
		i, neg = 1, true
	}
	var mant uint64
	nd, frac, dot := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			nd++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return strconv.ParseFloat(s, 64)
		}
	}
	if nd == 0 || nd > 15 {
		return strconv.ParseFloat(s, 64)
	}
	v := float64(mant) / pow10[frac]
	if neg {
		v = -v
	}
	return v, nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func shorten(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
