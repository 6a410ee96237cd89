package planio

import (
	"bytes"
	"testing"

	"concord/internal/alliance"
	"concord/internal/sheet"
)

// FuzzTaskCSV: any bytes uploaded as a task CSV give rows or problems,
// never a panic, and every problem says where it is.
func FuzzTaskCSV(f *testing.F) {
	f.Add([]byte("目标编号,目标,协同领域,任务编号,任务名称,牵头单位,配合单位,开始日期,截止日期,节点\nG1,港口,产业协同,T-1,整合,大连市,营口市、盘锦市,2026-03-01,2026-12-31,2026-06-30 方案；x\n"))
	f.Add([]byte("\xEF\xBB\xBFGoal code,Goal,Coordination area,Task code,Task,Lead unit,Start date,Due date\nG,g,Industry,T,t,Dalian,2026/1/1,2026年2月1日\n"))
	f.Add([]byte("a,b\n\"unterminated\n"))
	f.Add([]byte{0xff, 0xfe, 0x00})
	units, areas := newNames(), newNames()
	units.add(1, "dalian", alliance.Names{ZhHans: "大连市", En: "Dalian"}, "zh-Hans")
	units.add(2, "yingkou", alliance.Names{ZhHans: "营口市", En: "Yingkou"}, "zh-Hans")
	areas.add(1, "industry", alliance.Names{ZhHans: "产业协同", En: "Industry"}, "zh-Hans")
	f.Fuzz(func(t *testing.T, b []byte) {
		tbl, err := sheet.ReadCSV(bytes.NewReader(b), sheet.Limits{}, taskSpec())
		if err != nil {
			return
		}
		for _, row := range tbl.Rows {
			_, ps := taskInput(row, units, areas)
			for _, p := range ps {
				if p.Row != row.Num || p.Key == "" {
					t.Fatalf("problem without a place or a message: %+v", p)
				}
			}
		}
	})
}
