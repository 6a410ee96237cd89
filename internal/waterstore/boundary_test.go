package waterstore_test

import (
	"strings"
	"testing"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/water"
	"concord/internal/waterstore"
)

// TestBoundaryCompensation checks the cross-boundary table against figures
// worked out by hand from the Liaoning 2017 scheme (standards §1.5).
func TestBoundaryCompensation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		main := f.station(t, f.river("LN-001", "三岔河")) // cross-city A → B, main stem, target Ⅳ
		trib := f.river("LN-002", "入海口")
		trib.Boundary, trib.UpstreamID, trib.DownstreamID, trib.Stem, trib.UnitID, trib.Target = waterstore.SeaEntry, nil, nil, waterstore.Tributary, &f.C.ID, water.ClassIII
		sea := f.station(t, trib)
		inner := f.river("LN-003", "内河")
		inner.Boundary, inner.UpstreamID, inner.DownstreamID, inner.Stem = "", nil, nil, ""
		f.station(t, inner)
		f.ingest(t, ""+
			// January: TP 0.35 is Class Ⅴ, one class worse than Ⅳ.
			"辽宁,三岔河,2026-01-05 08:00,7.5,8,3,0.3,0.35,\n"+
			// February: TP 0.5 is worse than Ⅴ: two classes, multiple (0.5-0.2)/0.2 = 1.5.
			"辽宁,三岔河,2026-02-05 08:00,7.5,8,3,0.3,0.5,\n"+
			// The sea-entry tributary: TP 0.25 is Class Ⅳ against Ⅲ in January, 0.1 (Ⅱ) in February.
			"辽宁,入海口,2026-01-05 08:00,7.5,8,3,0.3,0.25,\n"+
			"辽宁,入海口,2026-02-05 08:00,7.5,8,3,0.3,0.1,\n"+
			"辽宁,内河,2026-01-05 08:00,7.5,8,3,0.3,0.5,\n", false)
		p, _ := waterstore.ParsePeriod("2026-01..2026-03")
		rep, err := f.S.Boundary(f.Viewer, p, "zh-Hans")
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) != 6 { // two sections × three months; the inner river is no boundary
			t.Fatalf("%d rows: %+v", len(rep.Rows), rep.Rows)
		}
		type want struct {
			month   string
			station int64
			class   water.Class
			amount  float64
			payer   string
			payee   string
			exceed  string
		}
		wants := []want{
			{"2026-01", main.ID, water.ClassV, 1_000_000, "dalian", "yingkou", "tp"},
			{"2026-01", sea.ID, water.ClassIV, 500_000, "panjin", "辽宁省", "tp"},
			{"2026-02", main.ID, water.WorseThanV, 2_150_000, "dalian", "yingkou", "tp"},
			{"2026-02", sea.ID, water.ClassII, 0, "panjin", "辽宁省", ""},
			{"2026-03", main.ID, water.NoClass, 0, "", "", ""},
			{"2026-03", sea.ID, water.NoClass, 0, "", "", ""},
		}
		for i, w := range wants {
			r := rep.Rows[i]
			var items []string
			for _, e := range r.Exceeding {
				items = append(items, string(e.Item))
			}
			if r.Month != w.month || r.StationID != w.station || r.Class != w.class || r.Amount != w.amount || r.Payer != w.payer ||
				r.Payee != w.payee || strings.Join(items, ",") != w.exceed {
				t.Errorf("row %d: %s %d class %v amount %v %s→%s exceeding %v; want %+v", i, r.Month, r.StationID, r.Class, r.Amount, r.Payer, r.Payee, items, w)
			}
		}
		if rep.Total != 3_650_000 {
			t.Errorf("total %v, want 3,650,000", rep.Total)
		}
		feb := rep.Rows[2]
		if feb.Responsible != "dalian" || !feb.Exceeding[0].HasMultiple || feb.Exceeding[0].Multiple != 1.5 {
			t.Errorf("February: responsible %q, exceeding %+v", feb.Responsible, feb.Exceeding)
		}
		wantArith := "三岔河：劣Ⅴ类，目标Ⅳ类，差 2 个类别 × 1,000,000 元 = 2,000,000 元\n劣Ⅴ类另加超标倍数 1.5 × 100,000 元 = 150,000 元\ndalian向yingkou缴纳 2,150,000 元"
		if feb.Arithmetic != wantArith {
			t.Errorf("arithmetic:\n%s\nwant\n%s", feb.Arithmetic, wantArith)
		}
		if rep.Rows[4].Assessed || rep.Rows[4].Compliant {
			t.Errorf("a month without readings is unassessed: %+v", rep.Rows[4])
		}

		// The office halves the main-stem rate: the same months now owe
		// 500,000 and 1,000,000 + 150,000.
		cur, err := f.S.Scheme(f.Viewer)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Scheme().PerClassMain != water.Liaoning2017.PerClassMain || cur.DueMonth != 3 || cur.LateRate != 0.1 {
			t.Fatalf("shipped scheme %+v", cur)
		}
		next := cur
		next.PerClassMain = 500_000
		if _, err := f.S.UpdateScheme(f.Viewer, next, cur.Version); !errs.Is(err, errs.Forbidden) {
			t.Errorf("viewer edits the scheme: %v", err)
		}
		bad := next
		bad.LateRate, bad.DueMonth, bad.PerMultiple = 1.5, 13, -1
		_, err = f.S.UpdateScheme(f.Coord, bad, cur.Version)
		wantField(t, "late rate", err, "late_rate", "error.water.scheme_late_rate")
		wantField(t, "due month", err, "due_month", "error.water.scheme_due_month")
		wantField(t, "per multiple", err, "per_multiple", "error.water.scheme_amount")
		if _, err := f.S.UpdateScheme(f.Coord, next, cur.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := f.S.UpdateScheme(f.Coord, next, cur.Version); !errs.Is(err, errs.Conflict) {
			t.Errorf("stale scheme version: %v", err)
		}
		if n := f.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'water.scheme.update' AND actor_login = 'coord'`); n != 1 {
			t.Errorf("%d audit entries for the scheme", n)
		}
		rep, err = f.S.Boundary(f.Viewer, p, "en")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows[0].Amount != 500_000 || rep.Rows[2].Amount != 1_150_000 || rep.Total != 2_150_000 {
			t.Errorf("after the change: %v %v total %v", rep.Rows[0].Amount, rep.Rows[2].Amount, rep.Total)
		}
	})
}
