package waterstore_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/water"
	"concord/internal/waterstore"
)

const release = "../../../shared/testdata/cnemc-szzdjc-2020/water_quality_by_time/2020-05/2020-05-15.json"

// TestIngestRelease stores a real national release file: its stations are
// registered from the file itself (lake and reservoir sites from the
// shipped national list), every sample is stored, and loading it again
// changes nothing.
func TestIngestRelease(t *testing.T) {
	if _, err := os.Stat(release); err != nil {
		t.Skip("../shared/testdata is absent")
	}
	opt := waterstore.IngestOptions{Options: water.Options{File: filepath.Base(release), Year: 2020, Zone: time.FixedZone("CST", 8*3600)}, Format: water.Release}
	// The stations file of every site the release names.
	var stations strings.Builder
	w := csv.NewWriter(&stations)
	w.Write([]string{"code", "name_zh", "province", "basin", "water_body"})
	seen := map[string]bool{}
	national := water.National()
	f, err := os.Open(release)
	if err != nil {
		t.Fatal(err)
	}
	_, err = water.Read(f, water.Release, opt.Options, func(s water.Sample) error {
		if k := s.Province + "/" + s.Section; !seen[k] {
			seen[k] = true
			body := water.River
			if st, ok := national.Lookup(s.Province, s.Section); ok {
				body = st.Body
			}
			w.Write([]string{fmt.Sprintf("N%04d", len(seen)), s.Section, s.Province, s.Basin, string(body)})
		}
		return nil
	})
	f.Close()
	w.Flush()
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		fx := setup(t, d)
		res, err := fx.S.ImportStations(fx.Coord, strings.NewReader(stations.String()), "csv")
		if err != nil || len(res.Problems) > 0 || res.Created != len(seen) {
			t.Fatalf("stations: %+v, %v", res, err)
		}
		load := func() waterstore.Report {
			f, err := os.Open(release)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rep, err := fx.S.Ingest(fx.Coord, f, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() {
				t.Fatalf("refused: %v", rep.Problems)
			}
			return rep
		}
		first := load()
		if first.Samples < 50 || first.Inserted < 4*(first.Samples-first.Untimed) {
			t.Errorf("first load %+v", first)
		}
		n := 0
		for _, c := range storedFlags(t, fx.DB) {
			n += c
		}
		if n != first.Inserted {
			t.Errorf("%d readings stored, %d reported", n, first.Inserted)
		}
		again := load()
		if again.Inserted != 0 || again.Duplicates != first.Inserted+first.Duplicates || again.ConflictCount != first.ConflictCount {
			t.Errorf("second load %+v after %+v", again, first)
		}
		t.Logf("%d stations, %d samples, %d values, %d suspect", len(seen), first.Samples, first.Inserted, first.Suspects)
	})
}
