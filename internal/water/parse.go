package water

import (
	"fmt"
	"hash/maphash"
	"html"
	"math"
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
	opt     Options
	cols    []column
	sum     Summary
	emit    func(Sample) error
	seen    map[uint64]uint64 // key hash → values hash
	seed    maphash.Seed
	hasTime bool
	hasSect bool
}

func newTable(opt Options, emit func(Sample) error) *table {
	if opt.MaxProblems <= 0 {
		opt.MaxProblems = 1000
	}
	return &table{opt: opt, emit: emit, seen: map[uint64]uint64{}, seed: maphash.MakeSeed()}
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
	var s Sample
	s.Row = row
	bad := false
	var timeText string
	for i, c := range t.cols {
		if i >= len(cells) {
			break
		}
		cell := cells[i]
		if !utf8.ValidString(cell) {
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
			v, err := strconv.ParseFloat(text, 64)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				if display != "" {
					text = display
				}
				t.problem(row, c.header, "water.error.number", text)
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
		tm, key := parseTime(timeText, t.opt)
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

// duplicate reports whether s repeats a station and time already read:
// an exact repeat is counted, one with other values is a conflict, listed,
// and the first kept.
func (t *table) duplicate(row int, s Sample) bool {
	var h maphash.Hash
	h.SetSeed(t.seed)
	h.WriteString(s.Province)
	h.WriteByte(0)
	h.WriteString(s.Section)
	h.WriteByte(0)
	maphash.WriteComparable(&h, s.Time.UnixNano())
	key := h.Sum64()
	h.Reset()
	maphash.WriteComparable(&h, s.Status)
	maphash.WriteComparable(&h, s.Published)
	for _, r := range s.Values {
		h.WriteString(string(r.Item))
		maphash.WriteComparable(&h, r.Value)
	}
	vals := h.Sum64()
	prev, seen := t.seen[key]
	switch {
	case !seen:
		t.seen[key] = vals
		return false
	case prev == vals:
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

// parseTime reads a sample time: RFC 3339, or 2006-01-02 15:04[:05] in
// Options.Zone, or the release's 01-02 15:04 in Options.Year and Zone.
func parseTime(s string, opt Options) (time.Time, string) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, ""
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006/1/2 15:04", "2006/1/2 15:04:05", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			if opt.Zone == nil {
				return time.Time{}, "water.error.no_zone"
			}
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, opt.Zone), ""
		}
	}
	if t, err := time.Parse("01-02 15:04", s); err == nil {
		switch {
		case opt.Year == 0:
			return time.Time{}, "water.error.no_year"
		case opt.Zone == nil:
			return time.Time{}, "water.error.no_zone"
		}
		d := time.Date(opt.Year, t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, opt.Zone)
		if d.Day() != t.Day() { // 02-29 in a common year
			return time.Time{}, "water.error.time"
		}
		return d, ""
	}
	return time.Time{}, "water.error.time"
}

func shorten(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
