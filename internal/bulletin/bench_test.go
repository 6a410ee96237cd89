package bulletin_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"concord/internal/access"
	"concord/internal/alliance"
	"concord/internal/bench"
	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/db"
)

// BenchmarkNational generates the draft bulletin of the last three months
// on the plans benchmark's national-scale store (300 units, 100,000 tasks,
// 2,000,000 reports; generated on first use, which takes minutes, and
// reused from bench.PlansDir() afterwards). The target is under 3 s:
//
//	go test ./internal/bulletin -run '^$' -bench National -benchtime 5x
//
// CONCORD_BENCH_REPORTS sets the store's size, CONCORD_BENCH_ENGINE=postgres
// uses a database beside CONCORD_TEST_PG.
func BenchmarkNational(b *testing.B) {
	ctx := context.Background()
	size := 2_000_000
	if v, err := strconv.Atoi(os.Getenv("CONCORD_BENCH_REPORTS")); err == nil {
		size = v
	}
	engine := db.SQLite
	if os.Getenv("CONCORD_BENCH_ENGINE") == "postgres" {
		engine = db.Postgres
	}
	today := clock.Today(clock.System)
	if err := os.MkdirAll(bench.PlansDir(), 0o755); err != nil {
		b.Fatal(err)
	}
	store, err := bench.OpenPlanStore(ctx, engine, size, bench.PlansDir(), os.Getenv("CONCORD_TEST_PG"), today, os.Stderr)
	if err != nil {
		b.Fatal(err)
	}
	d, err := db.Open(ctx, store.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	coord := access.WithActor(ctx, &access.Actor{UserID: -1, Login: "bench", Roles: []access.Role{access.Coordinator}})
	s := &bulletin.Service{DB: d, Clock: clock.System, Alliance: &alliance.Service{DB: d}}
	bl, err := s.Create(coord, bulletin.Input{Title: "督查通报（基准测试）", Issuer: "协调办公室", Lang: "zh-Hans", PeriodFrom: today.AddDays(-91), PeriodTo: today})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		_, doc, err := s.Document(coord, bl.ID)
		if err != nil || len(doc.Sections) < 6 {
			b.Fatalf("document: %d sections, %v", len(doc.Sections), err)
		}
	}
}
