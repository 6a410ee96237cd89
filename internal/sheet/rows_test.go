package sheet

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"concord/internal/errs"
)

func TestEachRow(t *testing.T) {
	data := build(t, "数据", [][]any{
		{"断面", "时间", "氨氮"},
		{"兴安", time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC), 0.35},
		{},
		{"赵圈河", "2024-05-01", nil, 0.1},
		{"x", nil, 1},
	}, func(f *excelize.File) {
		f.SetCellFormula("数据", "B5", "=1+1")
	})
	var got []string
	err := open(t, data).EachRow("", func(row int, cells []string) error {
		got = append(got, strings.Join(append([]string{string(rune('0' + row))}, cells...), "|"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "rows", got, []string{
		"1|断面|时间|氨氮",
		"2|兴安|2024-05-01 08:30:00|0.35",
		"4|赵圈河|2024-05-01||0.1",
		"5|x|=|1",
	})
	stop := errors.New("stop")
	if err := open(t, data).EachRow("数据", func(int, []string) error { return stop }); err != stop {
		t.Errorf("the callback's error: %v", err)
	}
	err = open(t, data).EachRow("任务", func(int, []string) error { return nil })
	if e, ok := errs.As(err); !ok || e.Kind != errs.Invalid || e.Key != "error.sheet.no_sheet" {
		t.Errorf("missing sheet: %v", err)
	}
}
