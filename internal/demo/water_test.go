package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/demo"
	"concord/internal/water"
	"concord/internal/waterstore"
)

// checkWater checks the belt's waters in a store seeded as of now: the
// stations with their targets and boundaries, readings since 2018 with the
// sample suspects, Panjin's sections off their Class Ⅳ target in some
// months, the Daling's cross-boundary run of months off target and its
// recovery, the Daliao's current run, and the real records when
// ../shared is there.
func checkWater(t *testing.T, d *db.DB, now time.Time) {
	t.Helper()
	var coordID int64
	if err := d.R.QueryRow(`SELECT id FROM users WHERE login = 'coordinator'`).Scan(&coordID); err != nil {
		t.Fatal(err)
	}
	ctx := access.WithActor(context.Background(), &access.Actor{UserID: coordID, Login: "coordinator", Roles: []access.Role{access.Coordinator}})
	ws := &waterstore.Service{DB: d, Clock: clock.NewFake(now)}
	stations, err := ws.Stations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]int64{}
	rows, err := d.R.Query(`SELECT code, id FROM units`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			t.Fatal(err)
		}
		units[code] = id
	}
	rows.Close()
	byName := map[string]waterstore.Station{}
	belt, cnemc := 0, 0
	national := water.National()
	for _, st := range stations {
		byName[st.NameZh] = st
		if strings.HasPrefix(st.Code, "LN-CNEMC-") {
			cnemc++
			continue
		}
		belt++
		if st.Target == water.NoClass || st.UnitID == nil || st.Latitude == nil {
			t.Errorf("belt station %s lacks a target, unit or place: %+v", st.Code, st)
		}
		if n, ok := national.Lookup(st.Province, st.NameZh); ok && n.Body != st.Body {
			t.Errorf("%s is a %s, the national list says %s", st.NameZh, st.Body, n.Body)
		}
	}
	if belt != 24 {
		t.Errorf("%d belt stations, want 24", belt)
	}
	for _, name := range []string{"兴安", "曙光大桥", "赵圈河", "胜利塘"} {
		if st := byName[name]; st.Target != water.ClassIV || st.UnitID == nil || *st.UnitID != units["panjin"] {
			t.Errorf("Panjin's section %s: %+v", name, st)
		}
	}
	daling, daliao := byName["大凌河葫芦岛锦州交界（示例）"], byName["大辽河盘锦营口交界（示例）"]
	if daling.Boundary != waterstore.CrossCity || *daling.UpstreamID != units["huludao"] || *daling.DownstreamID != units["jinzhou"] {
		t.Errorf("the Daling's cross-boundary section: %+v", daling)
	}
	if daliao.Boundary != waterstore.CrossCity || *daliao.UpstreamID != units["panjin"] || *daliao.DownstreamID != units["yingkou"] {
		t.Errorf("the Daliao's cross-boundary section: %+v", daliao)
	}

	// A reading every week since 2018, seven items each.
	start := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	weeks := int(now.Sub(start).Hours() / 24 / 7)
	got, err := ws.Readings(ctx, byName["曙光大桥"].ID, start, now, waterstore.MaxReadings)
	if err != nil {
		t.Fatal(err)
	}
	if min(7*weeks, waterstore.MaxReadings) > len(got) {
		t.Errorf("曙光大桥 has %d readings in %d weeks", len(got), weeks)
	}
	sus, err := ws.Suspects(ctx, start, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	flagged := map[string]bool{}
	for _, r := range sus {
		flagged[string(r.Item)+"@"+r.Time.In(time.FixedZone("", 8*3600)).Format(time.DateOnly)] = true
	}
	for _, want := range []string{"nh3n@2019-03-04", "ph@2022-06-13", "do@2024-08-05"} {
		if !flagged[want] {
			t.Errorf("no suspect %s among %v", want, flagged)
		}
	}

	// Every month's assessment, back from last month.
	cst := time.FixedZone("", 8*3600)
	l := now.In(cst)
	month := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, cst)
	off := map[string]int{}
	months := 0
	for back := 1; !month.AddDate(0, -back, 0).Before(start.In(cst)); back++ {
		m := month.AddDate(0, -back, 0)
		p := waterstore.Period{From: m.Year()*100 + int(m.Month())}
		p.To = p.From
		list, err := ws.Assess(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		months++
		for _, a := range list {
			if a.Station.Target != water.NoClass && !a.Compliant {
				off[a.Station.NameZh]++
			}
			switch a.Station.ID {
			case daling.ID:
				if want := back >= 15 && back <= 20; a.Compliant == want || back < 15 && a.Class > water.ClassIII {
					t.Errorf("%s %d months back: %s, compliant %v", daling.NameZh, back, a.Explain("zh-Hans"), a.Compliant)
				}
			case daliao.ID:
				if back <= 2 && a.Compliant {
					t.Errorf("%s %d months back complies: %s", daliao.NameZh, back, a.Explain("zh-Hans"))
				}
			}
		}
	}
	for _, name := range []string{"兴安", "曙光大桥", "赵圈河", "胜利塘"} {
		if off[name] == 0 || off[name] > months/2 {
			t.Errorf("%s off target in %d of %d months: it should hover around Class Ⅳ", name, off[name], months)
		}
	}
	t.Logf("months off target since 2018: %v", off)

	// The loop over the last two years: the Daling's item regained
	// compliance, the Daliao's is still open.
	loops := map[int64][]string{}
	lrows, err := d.R.Query(`SELECT water_station_id, water_loop FROM rectifications WHERE water_station_id IS NOT NULL ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for lrows.Next() {
		var id int64
		var loop string
		if err := lrows.Scan(&id, &loop); err != nil {
			t.Fatal(err)
		}
		loops[id] = append(loops[id], loop)
	}
	lrows.Close()
	if got := loops[daling.ID]; len(got) != 1 || got[0] != "regained" {
		t.Errorf("the Daling's water items: %v, want one regained", got)
	}
	if got := loops[daliao.ID]; len(got) == 0 || got[len(got)-1] != "open" {
		t.Errorf("the Daliao's water items: %v, want the last open", got)
	}

	if demo.SharedDir() == "" {
		if cnemc != 0 {
			t.Errorf("%d real stations without ../shared", cnemc)
		}
		return
	}
	// The real records: Liaoning's sections, a reservoir only the daily
	// files name, and Panjin's 兴安 under both of the release's names.
	if cnemc < 55 || byName["汤河水库"].ID == 0 || byName["盘锦兴安(兴安)"].ID != 0 {
		t.Errorf("%d real stations; 汤河水库 %+v", cnemc, byName["汤河水库"])
	}
	for _, day := range []time.Time{time.Date(2020, 5, 15, 0, 0, 0, 0, cst), time.Date(2021, 4, 2, 0, 0, 0, 0, cst)} {
		rs, err := ws.Readings(ctx, byName["兴安"].ID, day, day.AddDate(0, 0, 1), 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 || !strings.Contains(rs[0].Source, "cnemc-szzdjc-2020/") {
			t.Errorf("兴安 on %s: %+v", day.Format(time.DateOnly), rs)
		}
	}
}
