package bench

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	s := Summarize(ds)
	want := Stats{N: 100, Min: time.Millisecond, Max: 100 * time.Millisecond, Mean: 50500 * time.Microsecond,
		Median: 50500 * time.Microsecond, P90: 90 * time.Millisecond, P95: 95 * time.Millisecond, P99: 99 * time.Millisecond}
	if s != want {
		t.Errorf("Summarize = %+v, want %+v", s, want)
	}
	if odd := Summarize([]time.Duration{3, 1, 2}); odd.Median != 2 || odd.P99 != 3 {
		t.Errorf("odd set: %+v", odd)
	}
	if (Summarize(nil) != Stats{}) {
		t.Error("empty set should give zero stats")
	}
}

// TestSeedAndMeasure runs the seeding and the in-process measurement on a
// small store, checking the counts and that every kind of request was timed.
func TestSeedAndMeasure(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bench.db")
	ds, err := SeedFile(ctx, path, SeedOptions{Units: 20, Users: 120, Batch: 50})
	if err != nil {
		t.Fatal(err)
	}
	// 120 seeded users and the administrator; units, areas, the alliance,
	// the administrator and every user leave an audit row.
	if ds.Units != 20 || ds.Users != 121 || ds.UserRoles != 121 || ds.AuditRows != 1+6+20+1+120 {
		t.Fatalf("dataset %+v", ds)
	}
	if _, err := SeedFile(ctx, path, SeedOptions{Units: 1}); err == nil {
		t.Error("seeding an existing file should fail")
	}
	again, err := Inspect(ctx, path)
	if err != nil || again.Users != ds.Users {
		t.Fatalf("Inspect = %+v, %v", again, err)
	}
	api, err := OpenAPI(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	if api.Pages() != 3 {
		t.Errorf("pages = %d, want 3", api.Pages())
	}
	res, err := MeasureAPI(ctx, api, 10, 2)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Stats{"users": res.Users, "units": res.Units, "healthz": res.Healthz, "raw": res.RawSQL} {
		if s.N != 10 || s.Median <= 0 {
			t.Errorf("%s: %+v", name, s)
		}
	}
	rep := Report{API: res}
	rep.Evaluate()
	if len(rep.Targets) != 1 || rep.Targets[0].Ratio <= 0 {
		t.Errorf("targets %+v", rep.Targets)
	}
}
