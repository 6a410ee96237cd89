package sheet

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"concord/internal/errs"
	"concord/internal/i18n"
)

// Type is what a column holds.
type Type int

const (
	Text    Type = iota // any text; numbers and dates are read as they show
	Int                 // a whole number
	Decimal             // a number
	Date                // a calendar date; see Book.Table for the forms read
	Percent             // 0–100: 85, "85%", or 0.85 in a cell formatted as percent
	Choice              // one of the column's Options
	Bool                // yes or no: 是/否, yes/no, true/false, 1/0, √/×
)

// Column is one expected column of a table.
type Column struct {
	Key      string   // the caller's name for it, e.g. "lead_unit"
	Label    string   // catalogue key of its header; the header in any language is accepted
	Aliases  []string // further accepted headers; templates use the first if there is no Label
	Type     Type
	Required bool     // the column must be there and every row must fill it
	Options  []Option // for Choice
	Width    float64  // in templates, in characters; 0 sizes it to the header
}

// Option is one value of a Choice column. A cell may hold the value itself
// or the label's text in any language.
type Option struct {
	Value string // what Row.Text returns
	Label string // catalogue key
}

// TableSpec is the layout of a table.
type TableSpec struct {
	Sheet     string // catalogue key of the sheet's name, in any language; "" for the first visible sheet
	Columns   []Column
	HeaderRow int // 1-based row of the headers; 0 takes the first row that is not empty
}

// Table is a sheet read against a TableSpec.
type Table struct {
	Sheet string // the sheet's name in the workbook; "" for CSV
	Rows  []Row  // the rows that are not blank, in order
	// Problems are the header and cell problems found in reading. Cells with
	// a problem are left out of their row, so that callers checking their
	// own rules add nothing more about them; callers add their own problems
	// and finish with Problems.Err.
	Problems Problems
	cols     map[string]*colInfo
}

type colInfo struct {
	*Column
	letter string // where it was found; "" if it was not
}

// HasColumn reports whether the sheet has the column: optional columns may
// be absent, which is not the same as empty.
func (t *Table) HasColumn(key string) bool {
	c := t.cols[key]
	return c != nil && c.letter != ""
}

// Row is one row of a table: its cells that hold a valid value.
type Row struct {
	Num   int // 1-based row of the sheet (record of a CSV file)
	table *Table
	cells map[string]value
}

type value struct {
	typ  Type
	text string
	num  float64
	i    int64
	date time.Time
	b    bool
}

// Has reports whether the row has a valid value for the column.
func (r Row) Has(key string) bool {
	_, ok := r.cells[key]
	return ok
}

// Text is the cell's text, trimmed; for a Choice column the option's
// Value, for a Date column the date as 2006-01-02, for other types the
// input as it shows. "" when empty or invalid.
func (r Row) Text(key string) string { return r.cells[key].text }

// Int is an Int column's value.
func (r Row) Int(key string) (int64, bool) {
	v, ok := r.cells[key]
	return v.i, ok && v.typ == Int
}

// Float is the value of a Decimal, Percent or Int column.
func (r Row) Float(key string) (float64, bool) {
	v, ok := r.cells[key]
	return v.num, ok && (v.typ == Decimal || v.typ == Percent || v.typ == Int)
}

// Date is a Date column's value, a UTC midnight.
func (r Row) Date(key string) (time.Time, bool) {
	v, ok := r.cells[key]
	return v.date, ok && v.typ == Date
}

// Bool is a Bool column's value.
func (r Row) Bool(key string) (yes, ok bool) {
	v, ok := r.cells[key]
	return v.b, ok && v.typ == Bool
}

// Problem is a problem with the row's cell in column key, for the caller's
// own rules: row.Problem("lead_unit", "error.sheet.unknown_unit", name).
func (r Row) Problem(key, msg string, args ...string) Problem {
	p := Problem{Sheet: r.table.Sheet, Row: r.Num, Field: key, Key: msg, Args: args}
	if c := r.table.cols[key]; c != nil {
		p.Col, p.Label = c.letter, c.Label
	}
	return p
}

// builder turns a stream of rows into a Table.
type builder struct {
	spec     TableSpec
	limits   Limits
	date1904 bool
	t        *Table
	header   int                          // the header row once reached
	found    bool                         // whether it has headers
	byCol    map[int]*colInfo             // sheet column → spec column
	skip     map[int]bool                 // columns not read: unknown or repeated headers, or reported as unnamed
	headers  map[string]string            // normalized accepted header → spec key
	accepted named                        // every accepted header, for suggestions
	options  map[string]map[string]string // Choice column key → normalized text → option value
	labels   map[string]named             // Choice column key → option labels, for suggestions
	rows     []rawRow
}

type rawRow struct {
	num   int
	cells []rawCell // of known columns only
}

func newBuilder(sheet string, spec TableSpec, limits Limits, date1904 bool) *builder {
	b := &builder{
		spec: spec, limits: limits, date1904: date1904,
		t:     &Table{Sheet: sheet, cols: map[string]*colInfo{}},
		byCol: map[int]*colInfo{}, skip: map[int]bool{}, headers: map[string]string{},
		options: map[string]map[string]string{}, labels: map[string]named{},
	}
	for i := range spec.Columns {
		c := &spec.Columns[i]
		b.t.cols[c.Key] = &colInfo{Column: c}
		if c.Type == Choice {
			b.options[c.Key] = map[string]string{}
			for _, o := range c.Options {
				b.options[c.Key][normalize(o.Value)] = o.Value
				for _, t := range texts(o.Label) {
					b.options[c.Key][normalize(t)] = o.Value
					b.labels[c.Key] = b.labels[c.Key].add(t, o.Value)
				}
			}
		}
		for _, h := range append(texts(c.Label), c.Aliases...) {
			if n := normalizeHeader(h); n != "" {
				if _, dup := b.headers[n]; !dup {
					b.headers[n] = c.Key
					b.accepted = b.accepted.add(h, c.Key)
				}
			}
		}
	}
	return b
}

// named is a list of texts, each naming a thing (a column, an option) that
// several texts in several languages may name.
type named struct{ texts, things []string }

func (n named) add(text, thing string) named {
	return named{append(n.texts, text), append(n.things, thing)}
}

// suggest is Suggest, where texts tie only if they name different things:
// 名称 and 名稱 are one suggestion.
func (n named) suggest(value string) (string, bool) {
	best := nearest(value, n.texts)
	for _, i := range best {
		if n.things[i] != n.things[best[0]] {
			return "", false
		}
	}
	if len(best) == 0 {
		return "", false
	}
	return n.texts[best[0]], true
}

// texts is a catalogue key's text in every language, without repeats.
func texts(key string) []string {
	if key == "" {
		return nil
	}
	var out []string
	for _, lang := range i18n.Languages {
		if t := i18n.T(lang, key); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func (b *builder) problem(row, col int, key string, args ...string) {
	p := Problem{Sheet: b.t.Sheet, Row: row, Key: key, Args: args}
	if col > 0 {
		p.Col = colName(col)
	}
	if c := b.byCol[col]; c != nil {
		p.Field, p.Label = c.Key, c.Label
	}
	b.t.Problems.Add(p)
}

// add takes the next row of the sheet.
func (b *builder) add(num int, cells []rawCell) error {
	if b.header == 0 {
		want := b.spec.HeaderRow
		if want > 0 && num < want || want == 0 && blank(cells) {
			return nil
		}
		b.header = num
		if want == 0 || num == want {
			b.readHeader(num, cells)
		}
		return nil
	}
	if len(b.byCol) == 0 {
		return nil
	}
	var kept []rawCell
	for _, c := range cells {
		switch {
		case b.byCol[c.col] != nil:
			kept = append(kept, c)
		case !b.skip[c.col] && !c.blank():
			b.problem(num, c.col, "error.sheet.unnamed_column")
			b.skip[c.col] = true
		}
	}
	if blank(kept) {
		return nil
	}
	if len(b.rows) == b.limits.Rows {
		return errs.New(errs.TooLarge, "error.sheet.too_many_rows", b.limits.Rows)
	}
	b.rows = append(b.rows, rawRow{num, kept})
	return nil
}

func blank(cells []rawCell) bool {
	for _, c := range cells {
		if !c.blank() {
			return false
		}
	}
	return true
}

func (b *builder) readHeader(num int, cells []rawCell) {
	b.found = !blank(cells)
	if !b.found {
		return
	}
	for _, c := range cells {
		h := b.show(c)
		n := normalizeHeader(h)
		key, ok := b.headers[n]
		switch {
		case n == "":
			continue
		case !ok:
			b.skip[c.col] = true
			if s, ok := b.accepted.suggest(h); ok {
				b.problem(num, c.col, "error.sheet.unknown_column_suggest", shorten(h), s)
			} else {
				b.problem(num, c.col, "error.sheet.unknown_column", shorten(h))
			}
		case b.t.cols[key].letter != "":
			b.skip[c.col] = true
			b.problem(num, c.col, "error.sheet.duplicate_column", shorten(h), b.t.cols[key].letter)
		default:
			info := b.t.cols[key]
			info.letter = colName(c.col)
			b.byCol[c.col] = info
		}
	}
	for _, c := range b.spec.Columns {
		if !c.Required || b.t.cols[c.Key].letter != "" {
			continue
		}
		p := Problem{Sheet: b.t.Sheet, Row: num, Field: c.Key, Label: c.Label, Key: "error.sheet.missing_column"}
		if c.Label == "" && len(c.Aliases) > 0 {
			p.Key, p.Args = "error.sheet.missing_column_named", []string{c.Aliases[0]}
		}
		b.t.Problems.Add(p)
	}
}

// finish checks the rows read and the sheet's merged ranges.
func (b *builder) finish(merges []rect) *Table {
	if !b.found {
		b.t.Problems.Add(Problem{Sheet: b.t.Sheet, Row: b.spec.HeaderRow, Key: "error.sheet.no_header"})
	}
	for _, m := range merges {
		if b.found && m.r2 > b.header {
			ref := colName(m.c1) + strconv.Itoa(m.r1) + ":" + colName(m.c2) + strconv.Itoa(m.r2)
			b.t.Problems.Add(Problem{Sheet: b.t.Sheet, Row: m.r1, Col: colName(m.c1), Key: "error.sheet.merged", Args: []string{ref}})
		}
	}
	for _, raw := range b.rows {
		row := Row{Num: raw.num, table: b.t, cells: map[string]value{}}
		filled := map[string]bool{}
		for _, c := range raw.cells {
			if c.blank() {
				continue
			}
			col := b.byCol[c.col]
			filled[col.Key] = true
			v, key, args := b.parse(col.Column, c)
			if key != "" {
				b.problem(raw.num, c.col, key, args...)
				continue
			}
			row.cells[col.Key] = v
		}
		for _, c := range b.spec.Columns {
			if letter := b.t.cols[c.Key].letter; c.Required && letter != "" && !filled[c.Key] {
				b.problem(raw.num, colNumber(letter), "error.sheet.required")
			}
		}
		b.t.Rows = append(b.t.Rows, row)
	}
	b.t.Problems.Sort()
	return b.t
}

// show is a cell's value as the user sees it, for Text columns and messages.
func (b *builder) show(c rawCell) string {
	if c.kind != numberCell {
		return clean(c.text)
	}
	switch c.format {
	case dateFormat:
		if s, ok := formatDate(c.num, b.date1904); ok {
			return s
		}
	case percentFormat:
		return formatNumber(c.num*100) + "%"
	}
	return formatNumber(c.num)
}

// parse applies a column's type to a cell that is not blank. It returns
// the value, or the catalogue key of the problem and its arguments: the
// value as shown, and a suggestion for some.
func (b *builder) parse(col *Column, c rawCell) (v value, problem string, args []string) {
	v = value{typ: col.Type, text: b.show(c)}
	switch {
	case c.formula:
		return v, "error.sheet.formula", nil
	case c.kind == garbledCell:
		return v, "error.sheet.encoding", nil
	case c.kind == errorCell:
		return v, "error.sheet.cell_error", []string{v.text}
	}
	var ok bool
	switch col.Type {
	case Text:
		ok = true
	case Int:
		if c.kind == numberCell {
			v.i, ok = int64(c.num), c.num == math.Trunc(c.num) && math.Abs(c.num) < maxExact
		} else if c.kind == textCell {
			v.i, ok = parseInt(fold(c.text))
		}
		v.num = float64(v.i)
		problem = "error.sheet.int"
	case Decimal:
		if c.kind == numberCell {
			v.num, ok = c.num, true
		} else if c.kind == textCell {
			v.num, ok = parseNumber(fold(c.text))
		}
		problem = "error.sheet.decimal"
	case Percent:
		v.num, ok = b.percent(c)
		problem = "error.sheet.percent"
		if ok && (v.num < 0 || v.num > 100) {
			ok, problem = false, "error.sheet.percent_range"
		}
	case Date:
		v.date, ok = b.date(c)
		if ok {
			v.text = v.date.Format(time.DateOnly)
		}
		problem = "error.sheet.date"
	case Choice:
		shown := v.text
		if v.text, ok = b.options[col.Key][normalize(shown)]; !ok {
			if s, found := b.labels[col.Key].suggest(shown); found {
				return v, "error.sheet.choice_suggest", []string{shorten(shown), s}
			}
			v.text = shown
		}
		problem = "error.sheet.choice"
	case Bool:
		v.b, ok = parseBool(v.text)
		problem = "error.sheet.bool"
	}
	if ok {
		return v, "", nil
	}
	return v, problem, []string{shorten(v.text)}
}

func (b *builder) percent(c rawCell) (float64, bool) {
	switch c.kind {
	case numberCell:
		if c.format == percentFormat {
			// 0.125 * 100 is 12.500000000000002; keep the digits Excel shows.
			r, _ := strconv.ParseFloat(formatNumber(c.num*100), 64)
			return r, true
		}
		return c.num, true
	case textCell:
		s := strings.TrimRightFunc(strings.TrimSuffix(fold(c.text), "%"), isBlank)
		return parseNumber(s)
	}
	return 0, false
}

func (b *builder) date(c rawCell) (time.Time, bool) {
	switch c.kind {
	case numberCell:
		if c.format == dateFormat || plausible(c.num) {
			return fromSerial(c.num, b.date1904)
		}
		return parseDate(formatNumber(c.num)) // 20240331
	case textCell, isoCell:
		if d, ok := parseDate(c.text); ok {
			return d, true
		}
		if n, ok := parseNumber(fold(c.text)); ok && plausible(n) { // a serial as text, as CSV has it
			return fromSerial(n, b.date1904)
		}
	}
	return time.Time{}, false
}

// boolWords maps the normalized answers of a Bool column to their value.
var boolWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range append(yes, texts("sheet.bool.yes")...) {
		m[normalize(w)] = true
	}
	for _, w := range append(no, texts("sheet.bool.no")...) {
		m[normalize(w)] = false
	}
	return m
}()

func parseBool(s string) (v, ok bool) {
	v, ok = boolWords[normalize(s)]
	return v, ok
}
