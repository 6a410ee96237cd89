package wateraccount_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/inspect"
	"concord/internal/jobs"
	"concord/internal/testworld"
	"concord/internal/water"
	"concord/internal/wateraccount"
	"concord/internal/waterstore"
)

type fixture struct {
	*testworld.World
	Water   *waterstore.Service
	Inspect *inspect.Service
	S       *wateraccount.Service
	Main    waterstore.Station // cross-city, Dalian (A) → Yingkou (B), main stem, target Ⅳ
	Inner   waterstore.Station // no boundary, unit C, target Ⅲ
}

// setup builds the world on 10 June 2026 with two stations and readings:
// the cross-city section off target in January and February (TP 0.35, Ⅴ;
// 0.5, 劣Ⅴ), on target in March (0.1), off again in April; an inner river
// on target in January.
func setup(t *testing.T, d *db.DB) fixture {
	w := testworld.New(t, d)
	w.Clock.Set(time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC))
	f := fixture{World: w, Water: &waterstore.Service{DB: d, Clock: w.Clock}}
	f.Inspect = &inspect.Service{DB: d, Clock: w.Clock, Plans: w.Plans}
	f.S = &wateraccount.Service{DB: d, Clock: w.Clock, Water: f.Water, Inspect: f.Inspect}
	var err error
	f.Main, err = f.Water.CreateStation(w.Coord, waterstore.StationInput{Code: "LN-001", NameZh: "三岔河", Province: "辽宁", Water: "大辽河",
		UnitID: &w.B.ID, Body: water.River, Target: water.ClassIV, Boundary: waterstore.CrossCity, UpstreamID: &w.A.ID, DownstreamID: &w.B.ID,
		Stem: waterstore.MainStem})
	if err != nil {
		t.Fatal(err)
	}
	f.Inner, err = f.Water.CreateStation(w.Coord, waterstore.StationInput{Code: "LN-009", NameZh: "内河", Province: "辽宁", UnitID: &w.C.ID,
		Body: water.River, Target: water.ClassIII})
	if err != nil {
		t.Fatal(err)
	}
	f.ingest(t, ""+
		"辽宁,三岔河,2026-01-05 08:00,7.5,8,3,0.3,0.35\n"+
		"辽宁,三岔河,2026-02-05 08:00,7.5,8,3,0.3,0.5\n"+
		"辽宁,三岔河,2026-03-05 08:00,7.5,8,3,0.3,0.1\n"+
		"辽宁,三岔河,2026-04-05 08:00,7.5,8,3,0.3,0.35\n"+
		"辽宁,内河,2026-01-05 08:00,7.5,8,3,0.3,0.1\n")
	return f
}

func (f fixture) ingest(t *testing.T, rows string) {
	t.Helper()
	rep, err := f.Water.Ingest(f.Coord, strings.NewReader("province,section,time,ph,do,codmn,nh3n,tp\n"+rows), waterstore.IngestOptions{
		Options: water.Options{File: "samples.csv", Zone: time.FixedZone("", 8*3600)}, Format: water.CSV})
	if err != nil || !rep.OK() {
		t.Fatalf("ingest: %v %+v", err, rep)
	}
}

func (f fixture) items(t *testing.T) []inspect.Rectification {
	t.Helper()
	list, err := f.Inspect.Rectifications(f.Viewer, inspect.RectFilter{SourceKind: inspect.SourceWater})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func (f fixture) run(t *testing.T, month int) wateraccount.MonthResult {
	t.Helper()
	r, err := f.S.Run(f.Coord, month)
	if err != nil {
		t.Fatalf("run %d: %v", month, err)
	}
	return r
}

func TestLoopOpensExtendsCloses(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		if _, err := f.S.Run(f.Viewer, 202601); !errs.Is(err, errs.Forbidden) {
			t.Errorf("viewer runs the loop: %v", err)
		}
		if _, err := f.S.Run(f.Coord, 202606); !errs.Is(err, errs.Invalid) {
			t.Errorf("the current month is not over: %v", err)
		}

		// January: one item, for the upstream city, naming the station and month.
		r := f.run(t, 202601)
		if len(r.Opened) != 1 || len(r.Extended)+len(r.Regained) != 0 {
			t.Fatalf("January: %+v", r)
		}
		if again := f.run(t, 202601); !again.Already || len(again.Opened) != 0 {
			t.Errorf("January again: %+v", again)
		}
		items := f.items(t)
		if len(items) != 1 {
			t.Fatalf("%d items after January twice", len(items))
		}
		it := items[0]
		if it.UnitID != f.A.ID || it.Water == nil || it.Water.StationID != f.Main.ID || strings.Join(it.Water.Months, ",") != "2026-01" ||
			it.Water.Loop != inspect.WaterOpen || it.Status != inspect.Open || it.DueOn.String() != "2026-08-09" {
			t.Fatalf("January item %+v %+v", it, it.Water)
		}
		if want := "三岔河（LN-001）2026-01 水质为Ⅴ类，未达到Ⅳ类目标"; !strings.HasPrefix(it.Requirement, want) || !strings.Contains(it.Requirement, "总磷(0.75) Ⅴ") {
			t.Errorf("requirement %q", it.Requirement)
		}

		// February, by two runners at once: the item gains the month once.
		var wg sync.WaitGroup
		results := make([]wateraccount.MonthResult, 2)
		errors := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { results[i], errors[i] = f.S.Run(f.Coord, 202602) })
		}
		wg.Wait()
		if errors[0] != nil || errors[1] != nil || results[0].Already == results[1].Already {
			t.Fatalf("two runners: %v %v %+v %+v", errors[0], errors[1], results[0], results[1])
		}
		items = f.items(t)
		if len(items) != 1 || strings.Join(items[0].Water.Months, ",") != "2026-01,2026-02" || items[0].Version != 2 {
			t.Fatalf("after February: %d items, %+v", len(items), items[0].Water)
		}

		// March complies: the loop closes and the item waits for verification
		// with the monitoring record as its evidence.
		r = f.run(t, 202603)
		if len(r.Regained) != 1 || r.Regained[0] != it.ID {
			t.Fatalf("March: %+v", r)
		}
		got, err := f.Inspect.Rectification(f.Viewer, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != inspect.Responded || got.Water.Loop != inspect.WaterRegained || got.Water.Regained != "2026-03" ||
			!strings.Contains(got.Response, "2026-03") {
			t.Fatalf("after March: %+v %+v", got, got.Water)
		}
		files, err := f.Inspect.Evidence(f.Viewer, "rectification", it.ID)
		if err != nil || len(files) != 1 || files[0].Name != "monitoring-LN-001-2026-03.csv" {
			t.Fatalf("evidence %v %+v", err, files)
		}
		if got, err = f.Inspect.Verify(f.Insp, it.ID, true, "", got.Version); err != nil || got.Status != inspect.Closed {
			t.Fatalf("verify: %v %+v", err, got)
		}

		// April is off target again: a new loop, a new item.
		r = f.run(t, 202604)
		if len(r.Opened) != 1 || r.Opened[0] == it.ID {
			t.Fatalf("April: %+v", r)
		}
		if _, err := f.S.Run(f.Coord, 202602); !errs.Is(err, errs.Conflict) {
			t.Errorf("an earlier month after April: %v", err)
		}
		for action, want := range map[string]int{"rectification.create": 2, "rectification.water_month": 1, "rectification.water_regained": 1, "water.loop.run": 4} {
			if n := f.Count(t, `SELECT count(*) FROM audit_log WHERE action = $1`, action); n != want {
				t.Errorf("%d audit entries %s, want %d", n, action, want)
			}
		}
		if n := f.Count(t, `SELECT count(*) FROM supervision_events WHERE kind IN ('water_month','water_regained')`); n != 2 {
			t.Errorf("%d water steps on the timeline", n)
		}
	})
}

// TestLoopClosedWhileOffTarget: an item verified and closed while the
// station is still off target ends its loop; the next month opens anew.
func TestLoopClosedWhileOffTarget(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		// A station naming no unit is reported, not given to anyone.
		if _, err := f.Water.CreateStation(f.Coord, waterstore.StationInput{Code: "LN-010", NameZh: "无主河", Province: "辽宁", Body: water.River,
			Target: water.ClassIII}); err != nil {
			t.Fatal(err)
		}
		f.ingest(t, "辽宁,无主河,2026-01-05 08:00,7.5,8,3,0.3,0.5\n")
		if r := f.run(t, 202601); len(r.Opened) != 1 || strings.Join(r.Unowned, ",") != "LN-010" {
			t.Fatalf("January: %+v", r)
		}
		it := f.items(t)[0]
		ctx := f.Reporter[f.A.ID]
		if err := attach(ctx, f, it.ID); err != nil {
			t.Fatal(err)
		}
		it, err := f.Inspect.Respond(ctx, it.ID, "已整改", it.Version)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Inspect.Verify(f.Insp, it.ID, true, "", it.Version); err != nil {
			t.Fatal(err)
		}
		r := f.run(t, 202602)
		if len(r.Ended) != 1 || len(r.Opened) != 1 {
			t.Fatalf("February: %+v", r)
		}
		items := f.items(t)
		if len(items) != 2 || items[0].Water.Loop != inspect.WaterEnded || items[1].Water.Loop != inspect.WaterOpen {
			t.Fatalf("items %+v %+v", items[0].Water, items[1].Water)
		}
	})
}

func attach(ctx context.Context, f fixture, id int64) error {
	_, err := f.Inspect.AddEvidence(ctx, "rectification", id, "整改说明.txt", []byte("已整改"))
	return err
}

// TestLoopJob: the job evaluates each month once across two runners and,
// after downtime, catches up the months it missed, in order.
func TestLoopJob(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		// 3 February (China time), inside January's grace days: nothing yet.
		f.Clock.Set(time.Date(2026, 2, 3, 1, 0, 0, 0, time.UTC))
		runners := []*jobs.Runner{{DB: d, Clock: f.Clock, Instance: "a"}, {DB: d, Clock: f.Clock, Instance: "b"}}
		for _, r := range runners {
			r.Add(f.S.Job())
		}
		pass := func() {
			var wg sync.WaitGroup
			for _, r := range runners {
				wg.Go(func() {
					if err := r.RunDue(context.Background()); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		}
		pass()
		if n := f.Count(t, `SELECT count(*) FROM water_loop_months WHERE month = 202601`); n != 0 {
			t.Fatalf("%d months evaluated within the grace days", n)
		}
		f.Clock.Set(time.Date(2026, 2, 6, 1, 0, 0, 0, time.UTC))
		pass()
		if n := f.Count(t, `SELECT count(*) FROM water_loop_months WHERE month = 202601`); n != 1 {
			t.Fatalf("January evaluated %d times", n)
		}
		if n := len(f.items(t)); n != 1 {
			t.Fatalf("%d items after January", n)
		}
		// Down until 20 May: February, March and April are caught up.
		f.Clock.Set(time.Date(2026, 5, 20, 1, 0, 0, 0, time.UTC))
		pass()
		months, err := f.S.Evaluated(f.Viewer)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range months {
			got = append(got, m.Month)
		}
		if strings.Join(got, ",") != "2026-04,2026-03,2026-02,2026-01,2025-12" {
			t.Fatalf("evaluated %v", got)
		}
		items := f.items(t)
		if len(items) != 2 || items[0].Water.Loop != inspect.WaterRegained || strings.Join(items[0].Water.Months, ",") != "2026-01,2026-02" ||
			items[1].Water.Loop != inspect.WaterOpen || items[0].CreatedBy != "system" {
			t.Fatalf("after catching up: %d items %+v", len(items), items[0])
		}
	})
}
