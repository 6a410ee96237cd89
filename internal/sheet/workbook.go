package sheet

import (
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Tab is one table of a workbook that WriteTables writes: its sheet's name,
// a bold head row, the rows, and an optional note under them.
type Tab struct {
	Sheet string
	Head  []string
	Rows  [][]string
	Note  string // e.g. that only the first rows are listed
}

// WriteTables writes tabs as a workbook, a sheet a tab, whole numbers as
// numbers so they can be summed. Sheet names are made valid and unique
// (at most 31 characters, none of []:*?/\). With no tab, the one sheet
// holds title.
func WriteTables(w io.Writer, title string, tabs []Tab) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, t := range tabs {
		name := sheetName(t.Sheet, used)
		if i == 0 {
			err = f.SetSheetName("Sheet1", name)
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
	if len(tabs) == 0 {
		if err := f.SetCellValue("Sheet1", "A1", title); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// sheetName makes a title a valid, unused sheet name: at most 31
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
