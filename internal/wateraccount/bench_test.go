package wateraccount_test

import (
	"bytes"
	"os"
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/inspect"
	"concord/internal/testworld"
	"concord/internal/water"
	"concord/internal/wateraccount"
	"concord/internal/waterstore"
	"concord/internal/waterstore/watertest"
)

// BenchmarkBrief measures the loop, the cross-boundary table and the brief
// over generated data: WATER_BENCH_STATIONS stations (default 200) sampled
// every 24 hours through 2020, every station answerable to a unit and one
// in ten a cross-city section. Run with
//
//	WATER_BENCH_STATIONS=2000 ./scripts/test ./internal/wateraccount -run '^$' -bench Brief -benchtime 1x
func BenchmarkBriefSQLite(b *testing.B)   { benchBrief(b, db.SQLite) }
func BenchmarkBriefPostgres(b *testing.B) { benchBrief(b, db.Postgres) }

func benchBrief(b *testing.B, engine db.Engine) {
	belt := watertest.Generate(b, 200, 24*time.Hour)
	n := belt.N
	samples, err := os.ReadFile(belt.Samples)
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		b.StopTimer()
		d := dbtest.Open(b, engine)
		w := testworld.New(b, d)
		w.Clock.Set(time.Date(2021, 1, 20, 0, 0, 0, 0, time.UTC))
		ws := &waterstore.Service{DB: d, Clock: w.Clock}
		s := &wateraccount.Service{DB: d, Clock: w.Clock, Water: ws, Inspect: &inspect.Service{DB: d, Clock: w.Clock, Plans: w.Plans}}
		if res, err := ws.ImportStations(w.Coord, bytes.NewReader(belt.Stations), "csv"); err != nil || len(res.Problems) > 0 {
			b.Fatalf("stations: %+v, %v", res, err)
		}
		list, err := ws.Stations(w.Coord)
		if err != nil {
			b.Fatal(err)
		}
		for i, st := range list {
			in := st.StationInput
			in.UnitID = &w.A.ID
			if i%10 == 0 {
				in.Boundary, in.UpstreamID, in.DownstreamID, in.Stem = waterstore.CrossCity, &w.A.ID, &w.B.ID, waterstore.MainStem
			}
			if _, err := ws.UpdateStation(w.Coord, st.ID, in, st.Version); err != nil {
				b.Fatal(err)
			}
		}
		if rep, err := ws.Ingest(w.Coord, bytes.NewReader(samples), waterstore.IngestOptions{Options: water.Options{File: "samples.csv"}, Format: water.CSV}); err != nil || !rep.OK() {
			b.Fatalf("ingest: %v", err)
		}
		b.StartTimer()
		start := time.Now()
		for m := 202001; m <= 202012; m++ {
			if _, err := s.Run(w.Coord, m); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds())/12, "loop-month-ms")
		start = time.Now()
		p, _ := waterstore.ParsePeriod("2020")
		rep, err := ws.Boundary(w.Viewer, p, "zh-Hans")
		if err != nil || len(rep.Rows) != 12*((n+9)/10) {
			b.Fatalf("boundary: %d rows, %v", len(rep.Rows), err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "boundary-year-ms")
		start = time.Now()
		if _, err := s.Brief(w.Viewer, 202012, "zh-Hans"); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "brief-ms")
		b.StopTimer()
		d.Close()
	}
}
