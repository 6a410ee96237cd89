package sheet

import (
	"strings"

	"concord/internal/errs"
)

// EachRow streams the sheet named sheetName ("" for the first visible one)
// row by row, for readers whose tables are too long to hold (Table keeps
// every row and stops at Limits.Rows). Each call gets the row's number and
// its cells as the user sees them, indexed by column from 0; blank rows are
// skipped and cells is reused between calls. Dates show as 2006-01-02 or
// 2006-01-02 15:04:05, numbers as Excel shows them; a formula cell, which is
// not accepted, shows as "=". A missing sheet is errs.Invalid.
func (b *Book) EachRow(sheetName string, fn func(row int, cells []string) error) error {
	var ref sheetRef
	found := false
	for _, s := range b.sheets {
		if (sheetName == "" && !s.hidden) || (sheetName != "" && normalize(s.name) == normalize(sheetName)) {
			ref, found = s, true
			break
		}
	}
	if !found {
		return errs.New(errs.Invalid, "error.sheet.no_sheet", sheetName, b.sheetNames())
	}
	bd := &builder{date1904: b.date1904}
	var texts []string
	_, err := b.scan(ref.part, func(num int, cells []rawCell) error {
		if blank(cells) {
			return nil
		}
		texts = texts[:0]
		for _, c := range cells {
			for len(texts) < c.col-1 {
				texts = append(texts, "")
			}
			if c.formula {
				texts = append(texts, "=")
				continue
			}
			texts = append(texts, bd.show(c))
		}
		return fn(num, texts)
	})
	return err
}

func (b *Book) sheetNames() string {
	var names []string
	for _, s := range b.sheets {
		if !s.hidden {
			names = append(names, s.name)
		}
	}
	return strings.Join(names, " / ")
}
