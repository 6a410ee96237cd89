// Package watertest gives the water benchmarks their generated belt.
package watertest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"concord/internal/waterstore"
)

// Belt is a generated year of readings written out: the stations file,
// and the samples as a wide CSV file.
type Belt struct {
	Stations []byte
	Samples  string // the file's path
	Rows     int    // samples in it
	N        int    // stations
}

// Generate writes 2020 for WATER_BENCH_STATIONS stations (def when it is
// unset) sampled every every, into tb's temporary folder.
func Generate(tb testing.TB, def int, every time.Duration) Belt {
	tb.Helper()
	n := def
	if s := os.Getenv("WATER_BENCH_STATIONS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			tb.Fatal(err)
		}
	}
	g := waterstore.Generated{Stations: n, Year: 2020, Every: every, Seed: 1}
	var stations bytes.Buffer
	if err := g.WriteStations(&stations); err != nil {
		tb.Fatal(err)
	}
	belt := Belt{Stations: stations.Bytes(), Samples: filepath.Join(tb.TempDir(), "samples.csv"), N: n}
	out, err := os.Create(belt.Samples)
	if err != nil {
		tb.Fatal(err)
	}
	belt.Rows, err = g.WriteSamples(out)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatal(err)
	}
	return belt
}
