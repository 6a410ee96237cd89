package bulletin

import (
	"io"

	"concord/internal/sheet"
)

// XLSX writes the bulletin's tables as a workbook, a sheet a table named
// after its section, whole numbers as numbers so they can be summed.
func (d Document) XLSX(w io.Writer) error {
	var tabs []sheet.Tab
	for _, t := range d.tables() {
		tabs = append(tabs, sheet.Tab{Sheet: t.Sheet, Head: t.Head, Rows: t.Rows, Note: t.Note})
	}
	return sheet.WriteTables(w, d.Title, tabs)
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
