// Package sheettest helps tests compare the workbooks Concord writes
// against golden files.
package sheettest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Cells lists every sheet's non-empty cells as sheet!A1=value lines.
func Cells(t testing.TB, data []byte) string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var b strings.Builder
	for _, sheet := range x.GetSheetList() {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				fmt.Fprintf(&b, "%s!%s=%s\n", sheet, cell, v)
			}
		}
	}
	return b.String()
}
