package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"concord/internal/access"
	"concord/internal/alliance"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/planio"
	"concord/internal/plans"
)

// importWorkbook times a plan workbook of n task rows (each with a lead and
// a co-operating unit, starting today) read, validated and committed into a
// new draft plan of store d, as the web upload does it; then removes that
// plan again so reruns measure the same store. The audit trail keeps the
// import's entries, as it keeps everything.
func importWorkbook(ctx context.Context, d *db.DB, n int) (int, float64, error) {
	al := &alliance.Service{DB: d}
	ps := &plans.Service{DB: d, Clock: clock.System}
	io := &planio.Service{Plans: ps, Alliance: al}
	coord := access.WithActor(ctx, &access.Actor{UserID: -1, Login: "concord-bench", Roles: []access.Role{access.Coordinator}})
	units, err := al.Units(ctx, false)
	if err != nil || len(units) < 2 {
		return 0, 0, fmt.Errorf("units: %v (%d)", err, len(units))
	}
	today := clock.Today(clock.System)
	plan, err := ps.CreatePlan(coord, plans.PlanInput{Code: fmt.Sprintf("BENCH-WB-%d", time.Now().UnixNano()), Kind: plans.ActionPlan,
		Name: "benchmark import", StartsOn: today, EndsOn: today.AddDays(730)})
	if err != nil {
		return 0, 0, err
	}
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "任务"); err != nil {
		return 0, 0, err
	}
	w, err := f.NewStreamWriter("任务")
	if err != nil {
		return 0, 0, err
	}
	if err := w.SetRow("A1", []any{"目标编号", "目标", "协同领域", "任务编号", "任务名称", "牵头单位", "配合单位", "开始日期", "截止日期"}); err != nil {
		return 0, 0, err
	}
	for i := range n {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		lead, co := units[i%len(units)], units[(i+1)%len(units)]
		row := []any{fmt.Sprintf("G%02d", i%30), fmt.Sprintf("目标 %d", i%30), "产业协同", fmt.Sprintf("WB-%05d", i), fmt.Sprintf("示例任务 %d：推进港口资源整合", i),
			lead.Name.ZhHans, co.Name.ZhHans, today.String(), today.AddDays(365).String()}
		if err := w.SetRow(cell, row); err != nil {
			return 0, 0, err
		}
	}
	if err := w.Flush(); err != nil {
		return 0, 0, err
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	pv, err := io.ImportTasks(coord, bytes.NewReader(b.Bytes()), planio.XLSX, "zh-Hans", plan.ID, plans.RevisionNote{}, true)
	secs := time.Since(t0).Seconds()
	if err != nil {
		return 0, 0, err
	}
	if !pv.Committed {
		return 0, 0, fmt.Errorf("not committed: %v", pv.Err())
	}
	return len(pv.Rows), secs, dropPlan(ctx, d, plan.ID)
}

// dropPlan removes a plan and everything under it (the dashboard's counts
// follow through their triggers).
func dropPlan(ctx context.Context, d *db.DB, id int64) error {
	return d.Tx(ctx, func(tx *sql.Tx) error {
		const tasks = `(SELECT id FROM tasks WHERE plan_id = $1)`
		for _, q := range []string{
			`DELETE FROM search_docs WHERE task_id IN ` + tasks,
			`DELETE FROM task_events WHERE task_id IN ` + tasks,
			`DELETE FROM milestones WHERE task_id IN ` + tasks,
			`DELETE FROM reports WHERE task_id IN ` + tasks,
			`DELETE FROM assignments WHERE task_id IN ` + tasks,
			`DELETE FROM tasks WHERE plan_id = $1`,
			`DELETE FROM goals WHERE plan_id = $1`,
			`DELETE FROM plan_revisions WHERE plan_id = $1`,
			`DELETE FROM plans WHERE id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
}
