package meetings_test

import (
	"fmt"
	"testing"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/meetings"
)

// BenchmarkBrief measures the brief of a meeting that follows 20 meetings
// of 25 decisions each, every decision with its task, on SQLite:
//
//	go test ./internal/meetings -run '^$' -bench Brief
func BenchmarkBrief(b *testing.B) {
	w := newWorld(b, dbtest.Open(b, db.SQLite))
	day := clock.DateOf(2018, 8, 1)
	for i := range 20 {
		m := w.meeting(fmt.Sprintf("第%d次联席会议", i+1), day.AddDays(7*i))
		for j := range 25 {
			d := w.decide(m, fmt.Sprintf("议定事项 %d-%d", i+1, j+1), []int64{w.A.ID, w.B.ID}[j%2], day.AddDays(200))
			if _, err := w.M.AssignTask(w.Coord, d.ID, meetings.TaskSpec{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	w.Clock.Set(time.Date(2019, 1, 1, 9, 0, 0, 0, time.UTC))
	next, err := w.M.CreateMeeting(w.Coord, meetings.Input{Kind: meetings.KindLeaders, Title: "下一次联席会议", HeldOn: clock.DateOf(2019, 1, 1), HostUnitID: w.A.ID})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		brief, err := w.M.Brief(w.Viewer, next.ID, "zh-Hans")
		if err != nil || len(brief.Decisions) != 500 {
			b.Fatalf("brief: %d decisions, %v", len(brief.Decisions), err)
		}
	}
}
