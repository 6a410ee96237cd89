package sheet_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"concord/internal/sheet"
)

// A caller maps a table's rows to its own values, adds problems of its own
// rules to those found in reading, and reports all of them.
func ExampleBook_Table() {
	spec := sheet.TableSpec{Columns: []sheet.Column{
		{Key: "code", Label: "field.code", Type: sheet.Text, Required: true},
		{Key: "unit", Label: "field.unit", Type: sheet.Text, Required: true},
		{Key: "due", Aliases: []string{"截止日期", "Due"}, Type: sheet.Date},
	}}
	names := []string{"沈阳市", "大连市", "鞍山市"}
	ids := map[string]int64{"沈阳市": 1, "大连市": 2, "鞍山市": 3}

	book, err := sheet.Open(bytes.NewReader(upload()), sheet.Limits{})
	if err != nil {
		fmt.Println(err) // errs.TooLarge, errs.Unsupported or errs.Malformed
		return
	}
	table, err := book.Table(spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	type task struct {
		code string
		unit int64
		due  time.Time
	}
	var tasks []task
	problems := table.Problems
	for _, r := range table.Rows {
		name := r.Text("unit")
		id, ok := ids[name]
		if !ok && name != "" {
			if guess, close := sheet.Suggest(name, names); close {
				problems.Add(r.Problem("unit", "error.sheet.unknown_unit_suggest", name, guess))
			} else {
				problems.Add(r.Problem("unit", "error.sheet.unknown_unit", name))
			}
		}
		due, _ := r.Date("due")
		tasks = append(tasks, task{r.Text("code"), id, due})
	}
	if err := problems.Err(); err != nil { // errs.Invalid, one field per problem
		all, _ := sheet.ProblemsOf(err)
		for _, p := range all {
			fmt.Println(p.Text("zh-Hans"))
		}
		fmt.Println(all[0].Text("en"))
		return
	}
	fmt.Println(tasks)
	// Output:
	// 工作表“任务”第 3 行 B 列（所属单位）：未知单位“大莲市”，是否指“大连市”？
	// 工作表“任务”第 3 行 C 列：“2024/13/1”不是有效的日期，可填写 2024-03-31、2024/3/31、2024.3.31 或 2024年3月31日
	// 工作表“任务”第 4 行 A 列（代码）：必填，不能为空
	// Sheet “任务”, row 3, column B (Unit): unknown member unit “大莲市”; did you mean “大连市”?
}

// upload is the workbook a user sends.
func upload() []byte {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "任务")
	f.SetSheetRow("任务", "A1", &[]any{"代码*", "所属单位*", "截止日期"})
	f.SetSheetRow("任务", "A2", &[]any{"T-1", "大连市", "2024-03-31"})
	f.SetSheetRow("任务", "A3", &[]any{"T-2", "大莲市", "2024/13/1"})
	f.SetSheetRow("任务", "A4", &[]any{nil, "沈阳市", time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)})
	var buf bytes.Buffer
	f.Write(&buf)
	return buf.Bytes()
}
