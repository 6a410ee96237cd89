package waterstore_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
)

// TestIngestLayouts stores the same samples of two stations, spread over
// three days (UTC days, the rows of water_days, cut across by the zone's),
// from files split and ordered in different ways: stations interleaved,
// rows reversed, a day's samples arriving in two files, later ones first,
// files that overlap. Whatever the layout every value is stored once, in
// the right sample, and loading everything again changes nothing.
func TestIngestLayouts(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		cases := []struct {
			name  string
			files func(rows []string) [][]string
		}{
			{"one file, station by station", func(rows []string) [][]string { return [][]string{rows} }},
			{"stations interleaved", func(rows []string) [][]string {
				var out []string
				for i := range len(rows) / 2 {
					out = append(out, rows[i], rows[len(rows)/2+i])
				}
				return [][]string{out}
			}},
			{"reversed", func(rows []string) [][]string {
				r := slices.Clone(rows)
				slices.Reverse(r)
				return [][]string{r}
			}},
			{"every other sample, then the rest", func(rows []string) [][]string {
				var even, odd []string
				for i, r := range rows {
					if i%2 == 0 {
						even = append(even, r)
					} else {
						odd = append(odd, r)
					}
				}
				return [][]string{even, odd}
			}},
			{"later samples first", func(rows []string) [][]string {
				var late, early []string
				for i, r := range rows {
					if i%9 >= 4 {
						late = append(late, r)
					} else {
						early = append(early, r)
					}
				}
				return [][]string{late, early}
			}},
			{"overlapping files", func(rows []string) [][]string {
				return [][]string{rows[:7], rows[4:13], rows[10:]}
			}},
		}
		zone := time.FixedZone("", 8*3600)
		start := time.Date(2020, 6, 1, 0, 0, 0, 0, zone)
		for ci, c := range cases {
			var rows, want []string
			var ids []int64
			for si := range 2 {
				name := fmt.Sprintf("断面%d%c", ci, 'A'+si)
				st := f.station(t, f.river(fmt.Sprintf("LN-%d%d", ci, si), name))
				ids = append(ids, st.ID)
				// Nine samples five hours apart: local midnight is 16:00 UTC.
				for k := range 9 {
					at := start.Add(time.Duration(5*k) * time.Hour)
					// The header's order: ph, do, codmn, nh3n, tp.
					vals := []float64{7 + float64(k)/10, 8, 3 + float64(si), 0.5, 0.1 + float64(k)/100}
					cells := make([]string, len(vals))
					for i, v := range vals {
						cells[i] = fmt.Sprint(v)
					}
					rows = append(rows, fmt.Sprintf("辽宁,%s,%s,%s,\n", name, at.Format("2006-01-02 15:04"), strings.Join(cells, ",")))
				}
			}
			for si, id := range ids {
				for k := range 9 {
					at := start.Add(time.Duration(5*k) * time.Hour).UTC().Format(time.RFC3339)
					// Readings come in item order: codmn, do, nh3n, ph, tp.
					for _, iv := range []struct {
						item string
						v    float64
					}{{"codmn", 3 + float64(si)}, {"do", 8}, {"nh3n", 0.5}, {"ph", 7 + float64(k)/10}, {"tp", 0.1 + float64(k)/100}} {
						want = append(want, fmt.Sprintf("%d %s %s %v", id, at, iv.item, iv.v))
					}
				}
			}
			inserted, duplicates := 0, 0
			for _, file := range c.files(rows) {
				rep := f.ingest(t, strings.Join(file, ""), false)
				if !rep.OK() || rep.ConflictCount != 0 {
					t.Fatalf("%s: %+v", c.name, rep)
				}
				inserted, duplicates = inserted+rep.Inserted, duplicates+rep.Duplicates
			}
			if inserted != len(want) {
				t.Errorf("%s: %d values inserted, want %d (%d duplicates)", c.name, inserted, len(want), duplicates)
			}
			var got []string
			for _, id := range ids {
				list, err := f.S.Readings(f.Viewer, id, start, start.AddDate(0, 0, 3), 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range list {
					got = append(got, fmt.Sprintf("%d %s %s %v", r.StationID, r.Time.Format(time.RFC3339), r.Item, r.Value))
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: stored\n%s\nwant\n%s", c.name, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if again := f.ingest(t, strings.Join(rows, ""), false); again.Inserted != 0 || again.Duplicates != len(want) {
				t.Errorf("%s: loading everything again %+v", c.name, again)
			}
			for _, id := range ids {
				if got := f.monthSum(t, id, 202006, "ph"); got.n != 9 {
					t.Errorf("%s: June pH count %d, want 9", c.name, got.n)
				}
			}
		}
	})
}
