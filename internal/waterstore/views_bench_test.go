package waterstore_test

import (
	"bytes"
	"os"
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/water"
	"concord/internal/waterstore"
	"concord/internal/waterstore/watertest"
)

// The web views' benchmark: WATER_BENCH_STATIONS generated stations
// (default 100) with a year of daily samples, then the year's
// stations × months matrix (twelve assessments), the river and basin
// grades, the city ranking and one station's series of a year. The views
// read only the month sums (and Readings for the series), so the sampling
// interval does not change their cost. Run with -benchtime 1x:
//
//	WATER_BENCH_STATIONS=2000 go test ./internal/waterstore -run '^$' -bench Views -benchtime 1x -timeout 1h

func BenchmarkViewsSQLite(b *testing.B)   { benchViews(b, db.SQLite) }
func BenchmarkViewsPostgres(b *testing.B) { benchViews(b, db.Postgres) }

func benchViews(b *testing.B, engine db.Engine) {
	belt := watertest.Generate(b, 100, 24*time.Hour)
	samples, n := belt.Samples, belt.N
	d := dbtest.Open(b, engine)
	f := setup(b, d)
	if res, err := f.S.ImportStations(f.Coord, bytes.NewReader(belt.Stations), "csv"); err != nil || len(res.Problems) > 0 {
		b.Fatalf("stations: %+v, %v", res, err)
	}
	file, err := os.Open(samples)
	if err != nil {
		b.Fatal(err)
	}
	rep, err := f.S.Ingest(f.Coord, file, waterstore.IngestOptions{Options: water.Options{File: samples}, Format: water.CSV})
	file.Close()
	if err != nil || !rep.OK() {
		b.Fatalf("ingest: %v %+v", err, rep.Problems)
	}
	year, _ := waterstore.ParsePeriod("2020")
	first, err := f.S.FindStations(f.Viewer, waterstore.StationFilter{Query: "GEN-00001"})
	if err != nil || len(first) != 1 {
		b.Fatalf("station: %v %v", first, err)
	}
	b.ResetTimer()
	for range b.N {
		for _, v := range []struct {
			name string
			run  func() (int, error)
		}{
			{"matrix", func() (int, error) { m, err := f.S.Matrix(f.Viewer, year); return len(m.Rows), err }},
			{"grades", func() (int, error) {
				g, err := f.S.Grades(f.Viewer, year, water.DefaultRiverRule, water.DefaultSeaRules)
				return len(g), err
			}},
			{"ranking", func() (int, error) { r, err := f.S.CityRanking(f.Viewer, year); return len(r) + n, err }},
			{"series", func() (int, error) {
				s, err := f.S.Series(f.Viewer, first[0].ID, water.TP, year)
				return len(s.Points), err
			}},
		} {
			start := time.Now()
			got, err := v.run()
			if err != nil || got == 0 {
				b.Fatalf("%s: %d, %v", v.name, got, err)
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000, v.name+"-ms")
		}
	}
}
