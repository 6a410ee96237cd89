package waterstore_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/testworld"
	"concord/internal/water"
	"concord/internal/waterstore"
)

type fixture struct {
	*testworld.World
	S *waterstore.Service
}

func setup(t testing.TB, d *db.DB) fixture {
	w := testworld.New(t, d)
	return fixture{w, &waterstore.Service{DB: d, Clock: w.Clock}}
}

// wantField reports unless err is a validation error on field with key.
func wantField(t *testing.T, name string, err error, field, key string) {
	t.Helper()
	if e, ok := errs.As(err); ok && e.Kind == errs.Invalid {
		for _, f := range e.Fields {
			if f.Field == field && f.Key == key {
				return
			}
		}
	}
	t.Errorf("%s: %v, want %s on %s", name, err, key, field)
}

func ptr[T any](v T) *T { return &v }

// river is a valid cross-city river section between units A and B.
func (f fixture) river(code, name string) waterstore.StationInput {
	return waterstore.StationInput{Code: code, NameZh: name, NameEn: "Sanchahe", Province: "辽宁", Basin: "辽河流域", Water: "大辽河",
		Latitude: ptr(40.9), Longitude: ptr(122.3), UnitID: &f.B.ID, Body: water.River, Target: water.ClassIV,
		Boundary: waterstore.CrossCity, UpstreamID: &f.A.ID, DownstreamID: &f.B.ID, Stem: waterstore.MainStem}
}

func (f fixture) station(t *testing.T, in waterstore.StationInput) waterstore.Station {
	t.Helper()
	st, err := f.S.CreateStation(f.Coord, in)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestStationValidation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		bad := int64(999999)
		cases := []struct {
			name   string
			change func(*waterstore.StationInput)
			field  string
			key    string
		}{
			{"no code", func(in *waterstore.StationInput) { in.Code = "" }, "code", "error.required"},
			{"bad code", func(in *waterstore.StationInput) { in.Code = "a b" }, "code", "error.water.code"},
			{"no name", func(in *waterstore.StationInput) { in.NameZh = " " }, "name_zh", "error.required"},
			{"no province", func(in *waterstore.StationInput) { in.Province = "" }, "province", "error.required"},
			{"half coordinates", func(in *waterstore.StationInput) { in.Longitude = nil }, "longitude", "error.water.coordinates_pair"},
			{"latitude", func(in *waterstore.StationInput) { in.Latitude = ptr(91.0) }, "latitude", "error.water.latitude"},
			{"longitude", func(in *waterstore.StationInput) { in.Longitude = ptr(-181.0) }, "longitude", "error.water.longitude"},
			{"water body", func(in *waterstore.StationInput) { in.Body = "河流" }, "water_body", "error.water.water_body"},
			{"target", func(in *waterstore.StationInput) { in.Target = 7 }, "target_class", "error.water.target"},
			{"sea target", func(in *waterstore.StationInput) { in.Body, in.Target = water.Sea, water.WorseThanV }, "target_class", "error.water.target"},
			{"status", func(in *waterstore.StationInput) { in.Status = "gone" }, "status", "error.water.status"},
			{"boundary", func(in *waterstore.StationInput) { in.Boundary = "border" }, "boundary", "error.water.boundary"},
			{"no upstream", func(in *waterstore.StationInput) { in.UpstreamID = nil }, "upstream_unit_id", "error.required"},
			{"same units", func(in *waterstore.StationInput) { in.DownstreamID = in.UpstreamID }, "downstream_unit_id", "error.water.same_units"},
			{"stem", func(in *waterstore.StationInput) { in.Stem = "" }, "stem", "error.water.stem"},
			{"sea entry without host", func(in *waterstore.StationInput) { in.Boundary, in.UnitID = waterstore.SeaEntry, nil }, "unit_id", "error.water.host_unit"},
			{"upstream off boundary", func(in *waterstore.StationInput) { in.Boundary, in.DownstreamID, in.Stem = "", nil, "" }, "boundary", "error.water.not_boundary"},
			{"unknown unit", func(in *waterstore.StationInput) { in.UnitID = &bad }, "unit_id", "error.water.unit_unknown"},
			{"unknown upstream", func(in *waterstore.StationInput) { in.UpstreamID = &bad }, "upstream_unit_id", "error.water.unit_unknown"},
		}
		for _, c := range cases {
			in := f.river("S1", "三岔河")
			c.change(&in)
			_, err := f.S.CreateStation(f.Coord, in)
			wantField(t, c.name, err, c.field, c.key)
		}
		if n := f.Count(t, `SELECT count(*) FROM water_stations`); n != 0 {
			t.Errorf("%d stations stored from invalid input", n)
		}
	})
}

func TestStationEdits(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		st := f.station(t, f.river("LN-001", "三岔河"))
		if st.Status != waterstore.Active || st.Version != 1 || *st.UpstreamID != f.A.ID || st.Target != water.ClassIV {
			t.Fatalf("created %+v", st)
		}
		if _, err := f.S.CreateStation(f.Viewer, f.river("LN-002", "辽河公园")); !errs.Is(err, errs.Forbidden) {
			t.Errorf("viewer creates a station: %v", err)
		}
		if _, err := f.S.CreateStation(f.Coord, f.river("LN-001", "辽河公园")); !errs.Is(err, errs.Conflict) {
			t.Errorf("duplicate code: %v", err)
		}
		if _, err := f.S.CreateStation(f.Coord, f.river("LN-002", "三岔河")); !errs.Is(err, errs.Conflict) {
			t.Errorf("duplicate province and name: %v", err)
		}
		in := st.StationInput
		in.Target = water.ClassIII
		up, err := f.S.UpdateStation(f.Coord, st.ID, in, st.Version)
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != 2 || up.Target != water.ClassIII {
			t.Errorf("updated %+v", up)
		}
		if _, err := f.S.UpdateStation(f.Coord, st.ID, in, st.Version); !errs.Is(err, errs.Conflict) {
			t.Errorf("stale edit: %v", err)
		}
		got, err := f.S.Station(f.Viewer, st.ID)
		if err != nil || got.Target != water.ClassIII {
			t.Errorf("viewer reads %+v, %v", got, err)
		}
		if n := f.Count(t, `SELECT count(*) FROM audit_log WHERE object_type = 'water_station' AND before_json <> '' AND after_json LIKE '%"target_class":3%'`); n != 1 {
			t.Errorf("%d audit rows of the update with before and after", n)
		}
		if _, err := f.S.Station(f.Viewer, 999999); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown station: %v", err)
		}
	})
}

const header = "province,section,time,ph,do,codmn,nh3n,tp (mg/L),status\n"

// ingest stores csv (with the header above) at UTC+8.
func (f fixture) ingest(t *testing.T, csv string, replace bool) waterstore.Report {
	t.Helper()
	rep, err := f.S.Ingest(f.Coord, strings.NewReader(header+csv), waterstore.IngestOptions{
		Options: water.Options{File: "samples.csv", Zone: time.FixedZone("", 8*3600)}, Format: water.CSV, Replace: replace})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

type monthSum struct {
	total float64
	n     int
}

func (f fixture) monthSum(t *testing.T, station int64, month int, item string) monthSum {
	t.Helper()
	var s monthSum
	// One row per station × month, {"item": [total, n], …} (migration 00011).
	var data []byte
	err := f.DB.R.QueryRow(`SELECT data FROM water_month_sums WHERE station_id = $1 AND month = $2`, station, month).Scan(&data)
	if err != nil {
		t.Fatalf("month sums %d %d: %v", station, month, err)
	}
	var sums map[string][2]float64
	if err := json.Unmarshal(data, &sums); err != nil {
		t.Fatalf("month sums %d %d: %s: %v", station, month, data, err)
	}
	s.total, s.n = sums[item][0], int(sums[item][1])
	return s
}

// storedFlags counts the stored values by flag, read from the packed
// days (migration 00013): each sample [at, batch, values], where a plain
// value is normal and [value, flag, batch] carries its flag.
func storedFlags(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	rows, err := d.R.Query(`SELECT data FROM water_days`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	flags := map[string]int{}
	for rows.Next() {
		var data []byte
		var samples [][3]json.RawMessage
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &samples); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		for _, s := range samples {
			var vals map[string]any
			if err := json.Unmarshal(s[2], &vals); err != nil {
				t.Fatalf("%s: %v", data, err)
			}
			for _, v := range vals {
				fl := waterstore.Normal
				if a, ok := v.([]any); ok {
					fl = waterstore.Flag(a[1].(float64))
				}
				flags[fl.String()]++
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return flags
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestIngest(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		st := f.station(t, f.river("LN-001", "三岔河"))
		// The first sample is on 1 June at 01:00 in China, still 31 May in
		// UTC: months are the zone's.
		first := "辽宁,三岔河,2020-06-01 01:00,7.5,8,3,0.5,0.1,\n" +
			"辽宁,三岔河,2020-06-01 05:00,7.7,8,5,0.7,0.3,\n" +
			"辽宁,三岔河,2020-06-01 09:00,15,8,4,0.6,0.2,\n" + // pH 15 is impossible
			"辽宁,三岔河,2020-06-01 13:00,7.1,9,4,0.6,0.2,维护\n"
		rep := f.ingest(t, first, false)
		if !rep.OK() || rep.Samples != 4 || rep.Inserted != 20 || rep.Suspects != 1 || rep.Duplicates != 0 {
			t.Fatalf("first ingest %+v", rep)
		}
		if got := f.monthSum(t, st.ID, 202006, "ph"); !near(got.total, 15.2) || got.n != 2 {
			t.Errorf("June pH sum %+v: the suspect and the maintenance value must be left out", got)
		}
		if got := f.monthSum(t, st.ID, 202006, "tp"); !near(got.total, 0.6) || got.n != 3 {
			t.Errorf("June TP sum %+v", got)
		}
		flags := storedFlags(t, d)
		if flags["normal"] != 14 || flags["suspect"] != 1 || flags["maintenance"] != 5 {
			t.Errorf("flags %v", flags)
		}

		// The same data again changes nothing.
		again := f.ingest(t, first, false)
		if !again.OK() || again.Inserted != 0 || again.Duplicates != 20 || again.ConflictCount != 0 {
			t.Errorf("second ingest %+v", again)
		}
		if got := f.monthSum(t, st.ID, 202006, "ph"); !near(got.total, 15.2) || got.n != 2 {
			t.Errorf("June pH sum after a repeat %+v", got)
		}

		// A differing value is a conflict, the stored one kept; a late
		// sample is added to its month.
		changed := "辽宁,三岔河,2020-06-01 05:00,7.7,8,5,0.7,0.4,\n" +
			"辽宁,三岔河,2020-06-02 01:00,8,8,4,0.5,0.2,\n"
		rep = f.ingest(t, changed, false)
		if !rep.OK() || rep.ConflictCount != 1 || rep.Inserted != 5 || rep.Duplicates != 4 {
			t.Fatalf("conflicting ingest %+v", rep)
		}
		if c := rep.Conflicts[0]; c.Key != "waterstore.conflict" || c.Row != 2 || c.Column != "tp" || c.Args[2] != "0.3" || c.Args[3] != "0.4" {
			t.Errorf("conflict %+v", c)
		}
		if got := f.monthSum(t, st.ID, 202006, "tp"); !near(got.total, 0.8) || got.n != 4 {
			t.Errorf("June TP sum after the late sample %+v", got)
		}

		// With replace the differing value is a correction: the month's
		// sum loses the old value and gains the new one.
		rep = f.ingest(t, changed, true)
		if !rep.OK() || rep.Replaced != 1 || rep.Inserted != 0 || rep.ConflictCount != 0 {
			t.Fatalf("correcting ingest %+v", rep)
		}
		if got := f.monthSum(t, st.ID, 202006, "tp"); !near(got.total, 0.9) || got.n != 4 {
			t.Errorf("June TP sum after the correction %+v", got)
		}
		if n := f.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'water.import'`); n != 4 {
			t.Errorf("%d import audit rows, want one per ingest", n)
		}

		suspects, err := f.S.Suspects(f.Viewer, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if len(suspects) != 1 || suspects[0].Item != water.PH || suspects[0].Value != 15 || suspects[0].Why != "water.suspect.ph" || suspects[0].Source != "samples.csv" {
			t.Errorf("suspects %+v", suspects)
		}
		list, err := f.S.Readings(f.Viewer, st.ID, time.Date(2020, 5, 31, 17, 0, 0, 0, time.UTC), time.Date(2020, 5, 31, 18, 0, 0, 0, time.UTC), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 5 || list[0].Item != water.CODMn || list[0].Unit != "mg/L" || list[0].Flag != waterstore.Normal {
			t.Errorf("readings of the first sample %+v", list)
		}
	})
}

func TestIngestRefusesBadFiles(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.station(t, f.river("LN-001", "三岔河"))
		cases := []struct {
			name, csv, key string
			args           []any
		}{
			{"unknown station", "辽宁,三岔河,2020-06-01 01:00,7.5,8,3,0.5,0.1,\n辽宁,三叉河,2020-06-01 01:00,7.5,8,3,0.5,0.1,\n",
				"waterstore.error.unknown_station_near", []any{"辽宁", "三叉河", "三岔河"}},
			{"bad number", "辽宁,三岔河,2020-06-01 01:00,7.5,8,x,0.5,0.1,\n", "water.error.number", []any{"x"}},
		}
		for _, c := range cases {
			rep := f.ingest(t, c.csv, false)
			if rep.OK() || len(rep.Problems) != 1 || rep.Problems[0].Key != c.key || len(rep.Problems[0].Args) != len(c.args) {
				t.Errorf("%s: %+v", c.name, rep)
				continue
			}
			for i, a := range c.args {
				if rep.Problems[0].Args[i] != a {
					t.Errorf("%s: args %v, want %v", c.name, rep.Problems[0].Args, c.args)
				}
			}
		}
		for _, table := range []string{"water_days", "water_month_sums", "water_batches"} {
			if n := f.Count(t, `SELECT count(*) FROM `+table); n != 0 {
				t.Errorf("%d rows in %s after refused files", n, table)
			}
		}
		// A broken file is an error, located.
		_, err := f.S.Ingest(f.Coord, strings.NewReader("province,section,time,ph\n\"unterminated"), waterstore.IngestOptions{Options: water.Options{File: "x.csv"}})
		if p, ok := err.(water.Problem); !ok || p.Key != "water.error.csv" {
			t.Errorf("broken file: %v", err)
		}
		if _, err := f.S.Ingest(f.Viewer, strings.NewReader(header), waterstore.IngestOptions{}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("viewer ingests: %v", err)
		}
	})
}

func TestAssess(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		st := f.station(t, f.river("LN-001", "三岔河"))
		lake := f.river("LN-002", "大伙房水库")
		lake.Body, lake.Boundary, lake.UpstreamID, lake.DownstreamID, lake.Stem, lake.Target = water.Reservoir, "", nil, nil, "", water.ClassII
		f.station(t, lake)
		f.station(t, f.river("LN-003", "辽河公园")) // no readings: left out
		// May: TP means 0.4 (Ⅴ at a river: worse than its Ⅳ target);
		// June: 0.05 (Ⅱ). At the reservoir TP 0.04 is Ⅲ under lake limits.
		f.ingest(t, "辽宁,三岔河,2020-05-10 08:00,7.5,8,3,0.5,0.3,\n"+
			"辽宁,三岔河,2020-05-20 08:00,7.5,8,3,0.5,0.5,\n"+
			"辽宁,三岔河,2020-06-10 08:00,7.5,8,3,0.5,0.05,\n"+
			"辽宁,大伙房水库,2020-06-10 08:00,7.5,8,3,0.1,0.04,\n", false)
		cases := []struct {
			period string
			want   map[string]water.Class
			comply map[string]bool
		}{
			{"2020-05", map[string]water.Class{"LN-001": water.ClassV}, map[string]bool{"LN-001": false}},
			{"2020-06", map[string]water.Class{"LN-001": water.ClassII, "LN-002": water.ClassIII}, map[string]bool{"LN-001": true, "LN-002": false}},
			// Q2: TP (0.3 + 0.5 + 0.05) / 3 = 0.2833…: Ⅳ, on target.
			{"2020Q2", map[string]water.Class{"LN-001": water.ClassIV, "LN-002": water.ClassIII}, map[string]bool{"LN-001": true, "LN-002": false}},
			{"2020", map[string]water.Class{"LN-001": water.ClassIV, "LN-002": water.ClassIII}, map[string]bool{"LN-001": true, "LN-002": false}},
			{"2020-07", map[string]water.Class{}, nil},
		}
		for _, c := range cases {
			p, err := waterstore.ParsePeriod(c.period)
			if err != nil {
				t.Fatal(err)
			}
			list, err := f.S.Assess(f.Viewer, p)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != len(c.want) {
				t.Errorf("%s: %d stations assessed, want %d", c.period, len(list), len(c.want))
			}
			for _, a := range list {
				if a.Class != c.want[a.Station.Code] || a.Compliant != c.comply[a.Station.Code] {
					t.Errorf("%s %s: class %v compliant %v, want %v %v", c.period, a.Station.Code, a.Class, a.Compliant, c.want[a.Station.Code], c.comply[a.Station.Code])
				}
			}
		}
		p, _ := waterstore.ParsePeriod("2020-05")
		list, _ := f.S.Assess(f.Viewer, p)
		if len(list) != 1 || list[0].Station.ID != st.ID || list[0].Grade != water.Moderately || len(list[0].Pollutants) != 1 || list[0].Pollutants[0].Label("zh-Hans") != "总磷(1.0)" {
			t.Errorf("May: %+v", list)
		}
		if got := list[0].Explain("zh-Hans"); !strings.Contains(got, "总磷") {
			t.Errorf("explanation %q", got)
		}
	})
}

func TestParsePeriod(t *testing.T) {
	cases := []struct {
		in       string
		from, to int
	}{
		{"2020-05", 202005, 202005},
		{"2020Q2", 202004, 202006},
		{"2020q4", 202010, 202012},
		{"2020", 202001, 202012},
		{"2020-11..2021-02", 202011, 202102},
	}
	for _, c := range cases {
		p, err := waterstore.ParsePeriod(c.in)
		if err != nil || p.From != c.from || p.To != c.to {
			t.Errorf("%s: %+v, %v", c.in, p, err)
		}
	}
	for _, bad := range []string{"", "2020-13", "2020-00", "2020Q5", "20", "2021-02..2020-11", "2020-5", "May 2020"} {
		if _, err := waterstore.ParsePeriod(bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if got := (waterstore.Period{From: 202004, To: 202006}).String(); got != "2020-04..2020-06" {
		t.Errorf("String: %s", got)
	}
}

func TestPush(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		st := f.station(t, f.river("LN-001", "三岔河"))
		if _, err := f.S.CreateToken(f.Viewer, st.ID, "自动站"); !errs.Is(err, errs.Forbidden) {
			t.Errorf("viewer creates a token: %v", err)
		}
		tok, err := f.S.CreateToken(f.Coord, st.ID, "自动站")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok.Secret, "cwp_") || f.Count(t, `SELECT count(*) FROM water_push_tokens WHERE token_hash = $1`, tok.Secret) != 0 {
			t.Fatalf("token %+v: the secret must not be stored", tok)
		}
		at := time.Date(2020, 6, 1, 8, 0, 0, 0, time.FixedZone("", 8*3600))
		samples := []waterstore.PushSample{
			{Time: at, Values: map[string]float64{"ph": 7.5, "溶解氧": 8, "tp": 150}, Units: map[string]string{"tp": "μg/L"}},
			{Time: at.Add(4 * time.Hour), Status: "维护", Values: map[string]float64{"ph": 7.4}},
		}
		rep, err := f.S.Push(context.Background(), tok.Secret, samples)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Inserted != 4 || rep.Samples != 2 {
			t.Errorf("push %+v", rep)
		}
		if got := f.monthSum(t, st.ID, 202006, "tp"); !near(got.total, 0.15) || got.n != 1 {
			t.Errorf("TP pushed in μg/L is kept in mg/L: %+v", got)
		}
		again, err := f.S.Push(context.Background(), tok.Secret, samples)
		if err != nil || again.Inserted != 0 || again.Duplicates != 4 {
			t.Errorf("the same push again: %+v, %v", again, err)
		}
		if n := f.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'water.push' AND actor_login = 'station:LN-001'`); n != 2 {
			t.Errorf("%d push audit rows", n)
		}
		bad := []struct {
			name   string
			sample waterstore.PushSample
			field  string
			key    string
		}{
			{"no time", waterstore.PushSample{Values: map[string]float64{"ph": 7}}, "samples[0].time", "error.required"},
			{"status", waterstore.PushSample{Time: at, Status: "坏了"}, "samples[0].status", "error.water.sample_status"},
			{"item", waterstore.PushSample{Time: at, Values: map[string]float64{"泥沙": 1}}, "samples[0].values.泥沙", "error.water.item"},
			{"item twice", waterstore.PushSample{Time: at, Values: map[string]float64{"tp": 0.1, "总磷": 0.1}}, "samples[0].values.总磷", "error.water.item_twice"},
			{"unit", waterstore.PushSample{Time: at, Values: map[string]float64{"tp": 1}, Units: map[string]string{"tp": "°C"}}, "samples[0].units.tp", "error.water.unit"},
			{"unit alone", waterstore.PushSample{Time: at, Units: map[string]string{"tp": "mg/L"}}, "samples[0].units.tp", "error.water.unit_without_value"},
		}
		for _, c := range bad {
			_, err := f.S.Push(context.Background(), tok.Secret, []waterstore.PushSample{c.sample})
			wantField(t, c.name, err, c.field, c.key)
		}
		if _, err := f.S.RevokeToken(f.Coord, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.S.Push(context.Background(), tok.Secret, samples); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("push with a revoked token: %v", err)
		}
		if _, err := f.S.Push(context.Background(), "cwp_guess", samples); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("push with an unknown token: %v", err)
		}
		list, err := f.S.Tokens(f.Coord, st.ID)
		if err != nil || len(list) != 1 || list[0].RevokedAt == nil || list[0].Secret != "" {
			t.Errorf("tokens %+v, %v", list, err)
		}
	})
}
