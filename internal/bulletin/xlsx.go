package bulletin

import (
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// XLSX writes the bulletin's tables as a workbook, a sheet a table named
// after its section, whole numbers as numbers so they can be summed.
func (d Document) XLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	first := true
	for _, t := range d.tables() {
		name := sheetName(t.Sheet, used)
		if first {
			err = f.SetSheetName("Sheet1", name)
			first = false
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		head := make([]any, len(t.Head))
		for i, h := range t.Head {
			head[i] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for i, r := range t.Rows {
			cells := make([]any, len(r))
			for j, c := range r {
				cells[j] = c
				if n, err := strconv.Atoi(c); err == nil {
					cells[j] = n
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if t.Note != "" {
			cell, _ := excelize.CoordinatesToCellName(1, len(t.Rows)+3)
			if err := sw.SetRow(cell, []any{t.Note}); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	if first { // no tables: one sheet that says so
		if err := f.SetCellValue("Sheet1", "A1", d.Title); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// tables lists the document's tables in order.
func (d Document) tables() []*Table {
	var out []*Table
	var walk func([]Section)
	walk = func(ss []Section) {
		for _, s := range ss {
			if s.Table != nil {
				out = append(out, s.Table)
			}
			walk(s.Parts)
		}
	}
	walk(d.Sections)
	return out
}

// sheetName makes a section title a valid, unused sheet name: at most 31
// characters, none of []:*?/\.
func sheetName(title string, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, title)
	if name == "" {
		name = "Sheet"
	}
	base := []rune(name)
	name = string(base[:min(len(base), 31)])
	for n := 2; used[name]; n++ {
		suffix := "(" + strconv.Itoa(n) + ")"
		name = string(base[:min(len(base), 31-len(suffix))]) + suffix
	}
	used[name] = true
	return name
}
