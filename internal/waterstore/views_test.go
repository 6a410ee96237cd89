package waterstore_test

import (
	"math"
	"slices"
	"testing"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/water"
	"concord/internal/waterstore"
)

func TestPeriodMonthsAndBounds(t *testing.T) {
	p, _ := waterstore.ParsePeriod("2019-11..2020-02")
	if got := p.Months(); !slices.Equal(got, []int{201911, 201912, 202001, 202002}) {
		t.Errorf("months %v", got)
	}
	s := &waterstore.Service{}
	from, to := s.Bounds(p)
	if from.Format("2006-01-02T15:04Z07:00") != "2019-11-01T00:00+08:00" || to.Format("2006-01-02T15:04Z07:00") != "2020-03-01T00:00+08:00" {
		t.Errorf("bounds %v %v", from, to)
	}
}

func TestStationFilter(t *testing.T) {
	one, two := int64(1), int64(2)
	st := waterstore.Station{StationInput: waterstore.StationInput{Code: "LN-001", NameZh: "三岔河", NameEn: "Sanchahe", Basin: "辽河流域",
		Water: "大辽河", UnitID: &one, Boundary: waterstore.CrossCity}}
	for _, c := range []struct {
		f    waterstore.StationFilter
		want bool
	}{
		{waterstore.StationFilter{}, true},
		{waterstore.StationFilter{Basin: "辽河流域", Water: "大辽河", UnitID: 1}, true},
		{waterstore.StationFilter{UnitID: two}, false},
		{waterstore.StationFilter{Boundary: "any"}, true},
		{waterstore.StationFilter{Boundary: "none"}, false},
		{waterstore.StationFilter{Boundary: "sea_entry"}, false},
		{waterstore.StationFilter{Query: "ln-0"}, true},
		{waterstore.StationFilter{Query: "岔"}, true},
		{waterstore.StationFilter{Query: "SANCHA"}, true},
		{waterstore.StationFilter{Query: "大凌"}, false},
	} {
		if got := c.f.Match(st); got != c.want {
			t.Errorf("%+v: %v, want %v", c.f, got, c.want)
		}
	}
}

func TestBands(t *testing.T) {
	bands := waterstore.BandsOf(water.River, water.TP)
	if len(bands) != 5 || *bands[0].Hi != 0.02 || bands[0].Lo != nil || *bands[2].Lo != 0.1 || *bands[2].Hi != 0.2 || bands[4].Name != "Ⅴ" {
		t.Errorf("river TP bands: %+v", bands)
	}
	if lake := waterstore.BandsOf(water.Lake, water.TP); *lake[2].Hi != 0.05 {
		t.Errorf("lake TP Class Ⅲ up to %v, want 0.05", *lake[2].Hi)
	}
	do := waterstore.BandsOf(water.River, water.DO)
	if do[0].Hi != nil || *do[0].Lo != 7.5 || *do[1].Hi != 7.5 || *do[1].Lo != 6 {
		t.Errorf("DO Class Ⅰ: %+v", do[0])
	}
	if len(waterstore.BandsOf(water.Sea, water.DO)) != 4 || len(waterstore.BandsOf(water.River, "temp")) != 0 {
		t.Error("sea DO has four classes; water temperature none")
	}
}

// TestViews checks the matrix, the grades and the ranking over both
// engines: three sections of two cities, two months, and a sea point.
func TestViews(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		add := func(code, name string, unit int64, target water.Class) {
			in := f.river(code, name)
			in.Boundary, in.UpstreamID, in.DownstreamID, in.Stem = "", nil, nil, ""
			in.UnitID, in.Target, in.Water = &unit, target, "大辽河"
			f.station(t, in)
		}
		add("S1", "一号", f.A.ID, water.ClassIII) // May Ⅳ (misses), June Ⅱ
		add("S2", "二号", f.B.ID, water.ClassIII) // May Ⅲ (meets)
		add("S3", "三号", f.B.ID, water.ClassIV)  // May 劣Ⅴ (misses)
		sea := f.river("P1", "湾口")
		sea.Boundary, sea.UpstreamID, sea.DownstreamID, sea.Stem = "", nil, nil, ""
		sea.Body, sea.Target, sea.Water, sea.Basin = water.Sea, water.ClassII, "辽东湾", ""
		f.station(t, sea)
		f.ingest(t, "辽宁,一号,2020-05-10T08:00:00+08:00,7.5,8,3,0.4,0.25,正常\n"+
			"辽宁,一号,2020-06-10T08:00:00+08:00,7.5,8,3,0.4,0.05,正常\n"+
			"辽宁,二号,2020-05-10T08:00:00+08:00,7.5,6,5,0.8,0.15,正常\n"+
			"辽宁,三号,2020-05-10T08:00:00+08:00,7.5,6,5,2.5,0.15,正常\n"+
			"辽宁,湾口,2020-05-10T08:00:00+08:00,8,7,1,,,正常\n", false)
		p, _ := waterstore.ParsePeriod("2020-05..2020-06")
		m, err := f.S.Matrix(f.Viewer, p)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range m.Rows {
			got = append(got, r.Station.Code+":"+r.Classes[0].String()+"/"+r.Classes[1].String())
		}
		if want := []string{"P1:Ⅰ/", "S1:Ⅳ/Ⅱ", "S2:Ⅲ/", "S3:劣Ⅴ/"}; !slices.Equal(got, want) {
			t.Errorf("matrix %v, want %v", got, want)
		}

		may, _ := waterstore.ParsePeriod("2020-05")
		grades, err := f.S.Grades(f.Viewer, may, water.DefaultRiverRule, water.DefaultSeaRules)
		if err != nil {
			t.Fatal(err)
		}
		if len(grades) != 3 || grades[0].Kind != waterstore.AreaBasin || grades[1].Kind != waterstore.AreaRiver || grades[2].Kind != waterstore.AreaSea {
			t.Fatalf("grades %+v", grades)
		}
		// Three sections, fewer than five: the items averaged over them and
		// classed as one (NH3-N 1.233 is Ⅳ).
		if r := grades[1].River; r.ByShare || r.Sections != 3 || r.Averaged.Class != water.ClassIV || r.Grade != water.Slightly {
			t.Errorf("river: %+v", r)
		}
		if s := grades[2].Sea; s.Points != 1 || s.Grade != water.SeaExcellent {
			t.Errorf("sea area: %+v", s)
		}

		rank, err := f.S.CityRanking(f.Viewer, may)
		if err != nil {
			t.Fatal(err)
		}
		// B: S2 meets, S3 misses (50%); A: S1 misses (0%).
		if len(rank) != 2 || rank[0].UnitID != f.B.ID || rank[0].MeetingShare != 50 || rank[0].Good != 1 || rank[0].Worst != 1 ||
			rank[1].UnitID != f.A.ID || rank[1].MeetingShare != 0 || rank[1].Rank != 2 {
			t.Errorf("ranking %+v", rank)
		}
		june, _ := waterstore.ParsePeriod("2020-06")
		if rank, _ := f.S.CityRanking(f.Viewer, june); len(rank) != 1 || rank[0].MeetingShare != 100 || math.IsNaN(rank[0].GoodShare) {
			t.Errorf("June ranking %+v", rank)
		}
	})
}
