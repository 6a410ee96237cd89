package sheet

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"

	"concord/internal/i18n"
)

// listSheet is the hidden sheet that holds drop-down lists too long to
// write into a validation: Excel caps those at 255 characters.
const listSheet = "_lists"

// Template builds a workbook for users to fill in and upload again: an
// instructions sheet, and one sheet per table with its headers, drop-down
// lists and checks, and optionally rows of data (an export that re-imports).
// Texts are in one language; the reader accepts any.
type Template struct {
	f      *excelize.File
	lang   string
	sheets int // sheets made, the first of which renames Sheet1
	lists  int // columns used on listSheet
	styles map[string]int
}

// NewTemplate starts an empty template in lang.
func NewTemplate(lang string) *Template {
	return &Template{f: excelize.NewFile(), lang: lang, styles: map[string]int{}}
}

func (t *Template) newSheet(name string) error {
	t.sheets++
	if t.sheets == 1 {
		return t.f.SetSheetName("Sheet1", name)
	}
	_, err := t.f.NewSheet(name)
	return err
}

// style returns the id of one of the template's cell styles, made on first use.
func (t *Template) style(name string) (int, error) {
	if id, ok := t.styles[name]; ok {
		return id, nil
	}
	dateFmt := "yyyy-mm-dd"
	s := map[string]*excelize.Style{
		"header": {Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}},
		"title": {Font: &excelize.Font{Bold: true, Size: 14}},
		"wrap":  {Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}},
		"date":  {CustomNumFmt: &dateFmt},
		"text":  {NumFmt: 49}, // "@": keeps codes such as 001 as typed
	}[name]
	id, err := t.f.NewStyle(s)
	t.styles[name] = id
	return id, err
}

// Instructions adds a sheet of instructions: a title and numbered lines.
func (t *Template) Instructions(title string, lines []string) error {
	name := i18n.T(t.lang, "sheet.instructions")
	if err := t.newSheet(name); err != nil {
		return err
	}
	titleStyle, err := t.style("title")
	if err != nil {
		return err
	}
	wrap, err := t.style("wrap")
	if err != nil {
		return err
	}
	if err := t.f.SetColWidth(name, "A", "A", 100); err != nil {
		return err
	}
	if err := t.f.SetCellStr(name, "A1", title); err != nil {
		return err
	}
	if err := t.f.SetCellStyle(name, "A1", "A1", titleStyle); err != nil {
		return err
	}
	for i, line := range lines {
		cell := "A" + strconv.Itoa(i+3)
		if err := t.f.SetCellStr(name, cell, strconv.Itoa(i+1)+". "+line); err != nil {
			return err
		}
		if err := t.f.SetCellStyle(name, cell, cell, wrap); err != nil {
			return err
		}
	}
	return nil
}

// TableWriter writes data rows below a table's headers.
type TableWriter struct {
	t     *Template
	sheet string
	spec  TableSpec
	row   int
}

// AddTable adds a sheet for spec, named by spec.Sheet in the template's
// language: bold headers, required ones marked "*", frozen below the header
// row, widths to fit. Choice and Bool columns get drop-down lists; lists
// gives drop-downs of other columns by key (say the member units' names),
// kept on a hidden sheet however long they are. Date columns accept dates
// from 1990 to 2100, Percent columns numbers from 0 to 100.
func (t *Template) AddTable(spec TableSpec, lists map[string][]string) (*TableWriter, error) {
	if spec.Sheet == "" {
		return nil, errors.New("sheet: a template table needs TableSpec.Sheet")
	}
	for key := range lists {
		if !hasKey(spec, key) {
			return nil, fmt.Errorf("sheet: list for unknown column %q", key)
		}
	}
	name := i18n.T(t.lang, spec.Sheet)
	if err := t.newSheet(name); err != nil {
		return nil, err
	}
	headerRow := max(spec.HeaderRow, 1)
	headerStyle, err := t.style("header")
	if err != nil {
		return nil, err
	}
	for i, c := range spec.Columns {
		col := colName(i + 1)
		text := header(c, t.lang)
		if c.Required {
			text += "*"
		}
		if err := t.column(name, col, c); err != nil {
			return nil, err
		}
		w := c.Width
		if w == 0 {
			w = min(max(float64(displayWidth(text))+4, minWidth[c.Type], 10), 40)
		}
		if err := t.f.SetColWidth(name, col, col, w); err != nil {
			return nil, err
		}
		cell := col + strconv.Itoa(headerRow)
		if err := t.f.SetCellStr(name, cell, text); err != nil {
			return nil, err
		}
		if err := t.f.SetCellStyle(name, cell, cell, headerStyle); err != nil {
			return nil, err
		}
		if err := t.validate(name, col+strconv.Itoa(headerRow+1)+":"+col+strconv.Itoa(maxRow), c, lists[c.Key]); err != nil {
			return nil, err
		}
	}
	first := "A" + strconv.Itoa(headerRow+1)
	err = t.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: first, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: first, ActiveCell: first, Pane: "bottomLeft"}}})
	return &TableWriter{t: t, sheet: name, spec: spec, row: headerRow}, err
}

// header is a column's header in lang: its label's text, or its first
// alias when it has no label.
func header(c Column, lang string) string {
	if c.Label == "" && len(c.Aliases) > 0 {
		return c.Aliases[0]
	}
	return i18n.T(lang, c.Label)
}

func hasKey(spec TableSpec, key string) bool {
	for _, c := range spec.Columns {
		if c.Key == key {
			return true
		}
	}
	return false
}

// minWidth is the least default width by type: room for a sentence of
// text or a whole date.
var minWidth = map[Type]float64{Text: 16, Date: 12}

// displayWidth counts wide (CJK) characters twice, as Excel's widths do.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// column sets the number format of a whole column: text for Text columns,
// so that Excel keeps what is typed, and ISO dates for Date columns.
func (t *Template) column(sheet, col string, c Column) error {
	var name string
	switch c.Type {
	case Text:
		name = "text"
	case Date:
		name = "date"
	default:
		return nil
	}
	id, err := t.style(name)
	if err != nil {
		return err
	}
	return t.f.SetColStyle(sheet, col, id)
}

// validate adds the column's drop-down list or range check to cells.
func (t *Template) validate(sheet, cells string, c Column, list []string) error {
	dv := excelize.NewDataValidation(true)
	dv.Sqref = cells
	var msg string
	switch {
	case len(list) > 0:
		ref, err := t.addList(list)
		if err != nil {
			return err
		}
		dv.SetSqrefDropList(ref)
		msg = "sheet.dv.choice"
	case c.Type == Choice || c.Type == Bool:
		labels := []string{i18n.T(t.lang, "sheet.bool.yes"), i18n.T(t.lang, "sheet.bool.no")}
		if c.Type == Choice {
			labels = labels[:0]
			for _, o := range c.Options {
				labels = append(labels, i18n.T(t.lang, o.Label))
			}
		}
		if dv.SetDropList(labels) != nil { // too long to write inline
			ref, err := t.addList(labels)
			if err != nil {
				return err
			}
			dv.SetSqrefDropList(ref)
		}
		msg = "sheet.dv.choice"
	case c.Type == Date:
		if err := dv.SetRange(plausibleFrom, plausibleTo, excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		msg = "sheet.dv.date"
	case c.Type == Percent:
		if err := dv.SetRange(0, 100, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		msg = "sheet.dv.percent"
	default:
		return nil
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, i18n.T(t.lang, "sheet.dv.title"), i18n.T(t.lang, msg))
	return t.f.AddDataValidation(sheet, dv)
}

// addList writes values to the next column of the hidden list sheet and
// returns a reference to them.
func (t *Template) addList(values []string) (string, error) {
	if t.lists == 0 {
		if _, err := t.f.NewSheet(listSheet); err != nil {
			return "", err
		}
		if err := t.f.SetSheetVisible(listSheet, false); err != nil {
			return "", err
		}
	}
	t.lists++
	col := colName(t.lists)
	for i, v := range values {
		if err := t.f.SetCellStr(listSheet, col+strconv.Itoa(i+1), v); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("'%s'!$%s$1:$%s$%d", listSheet, col, col, len(values)), nil
}

// Append writes a data row: values by column key, as Go values of the
// column's type: string for Text and Choice (an option's Value), any
// integer for Int, float64 or an integer for Decimal and Percent (0–100),
// time.Time for Date, bool for Bool. Nil and the zero time leave a cell
// empty.
func (w *TableWriter) Append(values map[string]any) error {
	w.row++
	for i, c := range w.spec.Columns {
		v, ok := values[c.Key]
		if !ok || v == nil {
			continue
		}
		cell := colName(i+1) + strconv.Itoa(w.row)
		if err := w.write(cell, c, v); err != nil {
			return fmt.Errorf("sheet: column %q: %w", c.Key, err)
		}
	}
	for key := range values {
		if !hasKey(w.spec, key) {
			return fmt.Errorf("sheet: no column %q", key)
		}
	}
	return nil
}

func (w *TableWriter) write(cell string, c Column, v any) error {
	f := w.t.f
	switch c.Type {
	case Text:
		if s, ok := v.(string); ok {
			return f.SetCellStr(w.sheet, cell, s)
		}
	case Int:
		if n, ok := toInt(v); ok {
			return f.SetCellInt(w.sheet, cell, n)
		}
	case Decimal, Percent:
		if n, ok := toInt(v); ok {
			return f.SetCellInt(w.sheet, cell, n)
		}
		if x, ok := v.(float64); ok {
			return f.SetCellFloat(w.sheet, cell, x, -1, 64)
		}
	case Date:
		if d, ok := v.(time.Time); ok {
			if d.IsZero() {
				return nil
			}
			if err := f.SetCellFloat(w.sheet, cell, toSerial(d), -1, 64); err != nil {
				return err
			}
			id, err := w.t.style("date")
			if err != nil {
				return err
			}
			return f.SetCellStyle(w.sheet, cell, cell, id)
		}
	case Choice:
		if s, ok := v.(string); ok {
			for _, o := range c.Options {
				if o.Value == s {
					return f.SetCellStr(w.sheet, cell, i18n.T(w.t.lang, o.Label))
				}
			}
			return fmt.Errorf("%q is not an option", s)
		}
	case Bool:
		if b, ok := v.(bool); ok {
			key := "sheet.bool.no"
			if b {
				key = "sheet.bool.yes"
			}
			return f.SetCellStr(w.sheet, cell, i18n.T(w.t.lang, key))
		}
	}
	return fmt.Errorf("cannot write %T", v)
}

func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	}
	return 0, false
}

// Write writes the workbook, opening on its first sheet.
func (t *Template) Write(w io.Writer) error {
	t.f.SetActiveSheet(0)
	return t.f.Write(w)
}
