package waterstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/water"
	"concord/internal/waterstore"
)

// TestSamplesMigration takes stored readings and month sums down to one
// row per sample (migration 00013's Down), then to one row per value and
// item (00011's), and up again: every value, flag and source survives
// both ways exactly, a corrected value keeping its own batch, the suspect
// list and the assessment are unchanged.
func TestSamplesMigration(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		st := f.station(t, f.river("LN-001", "三岔河"))
		f.ingest(t, "辽宁,三岔河,2020-06-01 01:00,7.5,8,3,0.5,0.30000000000000004,\n"+
			"辽宁,三岔河,2020-06-01 05:00,15,8,5,0.7,0.3,\n"+ // pH 15: suspect
			"辽宁,三岔河,2020-06-01 09:00,7.1,9,4,0.6,0.2,维护\n", false)
		fix := "辽宁,三岔河,2020-06-01 01:00,7.5,8,3,0.5,0.1234567890123,\n"
		rep, err := f.S.Ingest(f.Coord, strings.NewReader(header+fix), waterstore.IngestOptions{
			Options: water.Options{File: "fix.csv", Zone: time.FixedZone("", 8*3600)}, Format: water.CSV, Replace: true})
		if err != nil || rep.Replaced != 1 {
			t.Fatalf("correction %+v, %v", rep, err)
		}
		from, to := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
		before, err := f.S.Readings(f.Viewer, st.ID, from, to, 0)
		if err != nil || len(before) != 15 {
			t.Fatalf("%d readings, %v", len(before), err)
		}
		suspects, err := f.S.Suspects(f.Viewer, from, to)
		if err != nil || len(suspects) != 1 {
			t.Fatalf("suspects %+v, %v", suspects, err)
		}
		year, _ := waterstore.ParsePeriod("2020")
		assessed, err := f.S.Assess(f.Viewer, year)
		if err != nil || len(assessed) != 1 || assessed[0].Values != 9 {
			t.Fatalf("assessed %+v, %v", assessed, err)
		}
		batches := map[int64]string{}
		rows, err := d.R.Query(`SELECT id, name FROM water_batches`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var name string
			rows.Scan(&id, &name)
			batches[id] = name
		}
		rows.Close()

		ctx := context.Background()
		if err := d.MigrateDownTo(ctx, 12); err != nil {
			t.Fatal(err)
		}
		if n := f.Count(t, `SELECT count(*) FROM water_samples WHERE station_id = $1 AND suspect = 1`, st.ID); n != 1 {
			t.Errorf("%d suspect samples after 00013's Down, want 1", n)
		}
		if err := d.MigrateDownTo(ctx, 9); err != nil {
			t.Fatal(err)
		}
		rows, err = d.R.Query(`SELECT at, item, value, flag, batch_id FROM water_readings WHERE station_id = $1 ORDER BY at, item`, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		var down []string
		for rows.Next() {
			var at, batch int64
			var item string
			var v float64
			var fl waterstore.Flag
			if err := rows.Scan(&at, &item, &v, &fl, &batch); err != nil {
				t.Fatal(err)
			}
			down = append(down, fmt.Sprint(time.Unix(at, 0).UTC(), item, v, fl, batches[batch]))
		}
		rows.Close()
		var want []string
		for _, r := range before {
			want = append(want, fmt.Sprint(r.Time, r.Item, r.Value, r.Flag, r.Source))
		}
		if !slices.Equal(down, want) {
			t.Errorf("one row per value:\n%v\nwant\n%v", down, want)
		}
		if err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		after, err := f.S.Readings(f.Viewer, st.ID, from, to, 0)
		if err != nil || !slices.Equal(after, before) {
			t.Errorf("after down and up:\n%+v\nwant\n%+v (%v)", after, before, err)
		}
		if again, err := f.S.Suspects(f.Viewer, from, to); err != nil || !slices.Equal(again, suspects) {
			t.Errorf("suspects after down and up %+v, want %+v (%v)", again, suspects, err)
		}
		// The month sums went down to one row per item and up again.
		// (Printed: the station holds pointers and unfailed items NaN.)
		again, err := f.S.Assess(f.Viewer, year)
		if err != nil || len(again) != 1 || fmt.Sprintf("%+v", again[0].Assessment) != fmt.Sprintf("%+v", assessed[0].Assessment) || again[0].Values != 9 {
			t.Errorf("assessed after down and up %+v, want %+v (%v)", again, assessed, err)
		}
	})
}
