package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/url"
	"strings"
	"sync"

	"concord/internal/access"
	"concord/internal/water"
	"concord/internal/waterstore"
)

// Water quality's rules in the permission matrix, the push route's token,
// and the request bodies of its API for TestOpenAPI.
func init() {
	pmRules[access.ViewWater] = map[access.Role]pmReach{
		access.Coordinator: pmAny, access.UnitLeader: pmAny, access.Reporter: pmAny, access.Inspector: pmAny, access.Viewer: pmAny,
	}
	pmRules[access.ManageWater] = map[access.Role]pmReach{access.Coordinator: pmAny}
	pmTokenFor["POST /api/v1/water/push"] = func(f *fixture) string { return wtSample(f).PushToken }
	for id, body := range map[string]any{
		"createWaterStation": waterstore.StationInput{},
		"updateWaterStation": waterstore.StationInput{},
		"createWaterToken":   oaFields{"label": nil},   // web.tokenBody
		"pushWaterSamples":   oaFields{"samples": nil}, // web.pushBody
	} {
		oaRequestBodies[id] = body
	}
}

// wtHeader is the readings CSV's header; times are written with their zone.
const wtHeader = "province,section,time,ph,do,codmn,nh3n,tp (mg/L),status\n"

// wtCSV is two months of readings: 三岔河 in Class Ⅳ by total phosphorus
// in May (target Ⅲ, missed) and Class Ⅱ in June; 大凌河 in Class Ⅲ; a
// suspect pH at 三岔河 in June.
const wtCSV = wtHeader +
	"辽宁,三岔河,2020-05-10T08:00:00+08:00,7.5,8,3,0.4,0.25,正常\n" +
	"辽宁,三岔河,2020-05-20T08:00:00+08:00,7.6,8,3,0.4,0.27,正常\n" +
	"辽宁,三岔河,2020-06-10T08:00:00+08:00,7.4,8,3,0.4,0.05,正常\n" +
	"辽宁,三岔河,2020-06-11T08:00:00+08:00,15,8,3,0.4,0.05,正常\n" +
	"辽宁,大凌河,2020-05-10T08:00:00+08:00,7.5,6,5,0.8,0.15,正常\n"

// wtWorld is the fixture's water sample: two river sections (one per
// unit) with readings, a sea point without, and push tokens.
type wtWorld struct {
	Sanchahe, Daling, Sea waterstore.Station
	PushToken             string // a token of 三岔河 kept for the push route
	SpareToken            int64  // a token the matrix may revoke
}

var wtWorlds sync.Map // *fixture → *wtWorld

func wtSample(f *fixture) *wtWorld {
	if w, ok := wtWorlds.Load(f); ok {
		return w.(*wtWorld)
	}
	f.t.Helper()
	ctx := apCoordinator(f)
	w := &wtWorld{Sanchahe: wtStation(f, ctx, wtRiver(f, "LN-001", "三岔河", f.Own.ID, water.ClassIII)),
		Daling: wtStation(f, ctx, wtRiver(f, "LN-002", "大凌河", f.Other.ID, water.ClassIV))}
	sea := waterstore.StationInput{Code: "LN-S01", NameZh: "大连湾", Province: "辽宁", Water: "渤海", Body: water.Sea,
		Latitude: ptrF(38.95), Longitude: ptrF(121.7), UnitID: &f.Own.ID, Target: water.ClassII, Status: waterstore.Active}
	w.Sea = wtStation(f, ctx, sea)
	rep, err := f.Srv.Water.Ingest(ctx, strings.NewReader(wtCSV), waterstore.IngestOptions{Options: water.Options{File: "sample.csv"}, Format: water.CSV})
	if err != nil || !rep.OK() {
		f.t.Fatalf("ingest: %v %+v", err, rep)
	}
	tok, err := f.Srv.Water.CreateToken(ctx, w.Sanchahe.ID, "自动站")
	if err != nil {
		f.t.Fatal(err)
	}
	w.PushToken = tok.Secret
	spare, err := f.Srv.Water.CreateToken(ctx, w.Sanchahe.ID, "备用")
	if err != nil {
		f.t.Fatal(err)
	}
	w.SpareToken = spare.ID
	wtWorlds.Store(f, w)
	return w
}

func ptrF(v float64) *float64 { return &v }

func wtRiver(f *fixture, code, name string, unit int64, target water.Class) waterstore.StationInput {
	return waterstore.StationInput{Code: code, NameZh: name, Province: "辽宁", Basin: "辽河流域", Water: name,
		Latitude: ptrF(40.9), Longitude: ptrF(122.1), UnitID: &unit, Body: water.River, Target: target, Status: waterstore.Active}
}

func wtStation(f *fixture, ctx context.Context, in waterstore.StationInput) waterstore.Station {
	f.t.Helper()
	st, err := f.Srv.Water.CreateStation(ctx, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

// wtTargets fill in the water routes' path parameters.
func wtTargets(f *fixture, p string) []pmTarget {
	if !strings.Contains(p, "/water/") || !strings.Contains(p, "{id}") {
		return nil
	}
	w := wtSample(f)
	id := w.Sanchahe.ID
	switch {
	case strings.Contains(p, "/water/tokens/{id}"):
		id = w.SpareToken
	case strings.Contains(p, "/water/imports/{id}"):
		id = 1
	}
	return []pmTarget{{path: strings.Replace(p, "{id}", fmt.Sprint(id), 1)}}
}

// wtPages are the water pages every role renders in every language.
func wtPages(f *fixture) []string {
	w := wtSample(f)
	return []string{"/water?period=2020-05", "/water/stations", "/water/stations?boundary=any&q=LN",
		fmt.Sprintf("/water/stations/%d?period=2020Q2", w.Sanchahe.ID), fmt.Sprintf("/water/stations/%d?period=2020-05&item=do", w.Sea.ID),
		"/water/imports", "/water/suspects?period=2020", "/water/assessment?period=2020-05", "/water/matrix?period=2020"}
}

// wtMultipart is a multipart body with file name holding data and the
// other fields.
func wtMultipart(name, data string, fields map[string]string) (string, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(data))
	mw.Close()
	return buf.String(), mw.FormDataContentType()
}

// wtStationsFile is a stations file of one new station.
func wtStationsFile(code string) string {
	return "code,name_zh,province,water_body,status\n" + code + ",新断面" + code + ",辽宁,river,active\n"
}

// arWaterCases are arCases for the water routes; each makes its own objects.
func arWaterCases() map[string]func(f *fixture) arCall {
	coord := func(f *fixture) string { return f.token("coordinator") }
	ui := func(f *fixture) *pmSession { s := pmLogin(f, "coordinator"); return &s }
	input := func(f *fixture, code string) waterstore.StationInput {
		return wtRiver(f, code, "断面"+code, f.Own.ID, water.ClassIII)
	}
	mp := func(name, data string, fields map[string]string) (string, map[string]string) {
		body, ct := wtMultipart(name, data, fields)
		return body, map[string]string{"Content-Type": ct}
	}
	return map[string]func(f *fixture) arCall{
		"POST /api/v1/water/stations": func(f *fixture) arCall {
			bad := input(f, "AR-1")
			bad.Body = "pond"
			return arCall{method: "POST", path: "/api/v1/water/stations", token: coord(f), json: input(f, "AR-1"), status: 201,
				action: "water.station.create", objectType: "water_station", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"code", arAbsent, "AR-1"}}, invalid: bad}
		},
		"PUT /api/v1/water/stations/{id}": func(f *fixture) arCall {
			st := wtStation(f, apCoordinator(f), input(f, "AR-2"))
			in := input(f, "AR-2")
			in.Target = water.ClassII
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/water/stations/%d", st.ID), token: coord(f), json: in,
				header: arIfMatch(st.Version), status: 200, action: "water.station.update", objectType: "water_station",
				actor: "coordinator", objectID: arID(st.ID), changes: []arChange{{"target_class", 3, 2}}}
		},
		"POST /api/v1/water/stations/file": func(f *fixture) arCall {
			body, h := mp("stations.csv", wtStationsFile("AR-3"), nil)
			return arCall{method: "POST", path: "/api/v1/water/stations/file", token: coord(f), json: body, header: h, status: 200,
				action: "water.station.create", objectType: "water_station", actor: "coordinator",
				objectID: func(result) string { return fmt.Sprint(wtStationID(f, "AR-3")) }}
		},
		"POST /api/v1/water/stations/{id}/tokens": func(f *fixture) arCall {
			w := wtSample(f)
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/water/stations/%d/tokens", w.Daling.ID), token: coord(f),
				json: map[string]string{"label": "审计"}, status: 201, action: "water.token.create", objectType: "water_push_token",
				actor: "coordinator", objectID: arCreatedID, changes: []arChange{{"label", arAbsent, "审计"}},
				secretsFrom: func(res result) []string { return []string{fmt.Sprint(res.JSON["secret"])} },
				invalid:     map[string]string{"label": ""}}
		},
		"DELETE /api/v1/water/tokens/{id}": func(f *fixture) arCall {
			tok, err := f.Srv.Water.CreateToken(apCoordinator(f), wtSample(f).Daling.ID, "撤销")
			if err != nil {
				f.t.Fatal(err)
			}
			return arCall{method: "DELETE", path: fmt.Sprintf("/api/v1/water/tokens/%d", tok.ID), token: coord(f), status: 200,
				action: "water.token.revoke", objectType: "water_push_token", actor: "coordinator", objectID: arID(tok.ID),
				changes: []arChange{{"revoked_at", arAbsent, arSet}}}
		},
		"POST /api/v1/water/imports": func(f *fixture) arCall {
			wtSample(f)
			body, h := mp("more.csv", wtHeader+"辽宁,大凌河,2020-07-10T08:00:00+08:00,7.5,6,5,0.8,0.15,正常\n", nil)
			return arCall{method: "POST", path: "/api/v1/water/imports?wait=60", token: coord(f), json: body, header: h, status: 201,
				action: "water.import", objectType: "water_batch", actor: "coordinator", objectID: func(res result) string {
					rep, _ := res.JSON["report"].(map[string]any)
					return fmt.Sprint(rep["batch_id"])
				}, changes: []arChange{{"inserted", arAbsent, 5}}}
		},
		"POST /api/v1/water/push": func(f *fixture) arCall {
			w := wtSample(f)
			body := map[string]any{"samples": []map[string]any{{"time": "2020-08-01T08:00:00+08:00", "values": map[string]float64{"ph": 7.2, "tp": 0.1}}}}
			return arCall{method: "POST", path: "/api/v1/water/push", token: w.PushToken, json: body, status: 200,
				action: "water.push", objectType: "water_batch", actor: "station:LN-001", objectID: func(res result) string {
					return fmt.Sprint(res.JSON["batch_id"])
				}, secrets: []string{w.PushToken}, invalid: map[string]any{"samples": []map[string]any{{"values": map[string]float64{"ph": 7}}}}}
		},
		"POST /water/stations": func(f *fixture) arCall {
			form := url.Values{"code": {"AR-4"}, "name_zh": {"表单断面"}, "province": {"辽宁"}, "water_body": {"river"}, "status": {"active"}, "target_class": {"3"}}
			bad := url.Values{"code": {"AR 4"}, "name_zh": {"表单断面"}, "province": {"辽宁"}, "water_body": {"river"}, "status": {"active"}}
			return arCall{method: "POST", path: "/water/stations", ui: ui(f), form: form, status: 303,
				action: "water.station.create", objectType: "water_station", actor: "coordinator", objectID: arLocationID,
				changes: []arChange{{"code", arAbsent, "AR-4"}}, invalid: bad}
		},
		"POST /water/stations/{id}": func(f *fixture) arCall {
			st := wtStation(f, apCoordinator(f), input(f, "AR-5"))
			form := url.Values{"version": {fmt.Sprint(st.Version)}, "code": {"AR-5"}, "name_zh": {"改名"}, "province": {"辽宁"},
				"water_body": {"river"}, "status": {"active"}, "target_class": {"3"}}
			return arCall{method: "POST", path: fmt.Sprintf("/water/stations/%d", st.ID), ui: ui(f), form: form, status: 303,
				action: "water.station.update", objectType: "water_station", actor: "coordinator", objectID: arID(st.ID),
				changes: []arChange{{"name_zh", "断面AR-5", "改名"}}}
		},
		"POST /water/stations/file": func(f *fixture) arCall {
			body, h := mp("stations.csv", wtStationsFile("AR-6"), nil)
			return arCall{method: "POST", path: "/water/stations/file", ui: ui(f), json: body, header: h, status: 303,
				action: "water.station.create", objectType: "water_station", actor: "coordinator",
				objectID: func(result) string { return fmt.Sprint(wtStationID(f, "AR-6")) }}
		},
		"POST /water/stations/{id}/tokens": func(f *fixture) arCall {
			w := wtSample(f)
			return arCall{method: "POST", path: fmt.Sprintf("/water/stations/%d/tokens", w.Daling.ID), ui: ui(f),
				form: url.Values{"label": {"页面"}}, status: 200, action: "water.token.create", objectType: "water_push_token",
				actor: "coordinator", objectID: func(result) string { return fmt.Sprint(wtLastToken(f)) },
				invalid: url.Values{"label": {""}}}
		},
		"POST /water/tokens/{id}/revoke": func(f *fixture) arCall {
			tok, err := f.Srv.Water.CreateToken(apCoordinator(f), wtSample(f).Daling.ID, "页面撤销")
			if err != nil {
				f.t.Fatal(err)
			}
			return arCall{method: "POST", path: fmt.Sprintf("/water/tokens/%d/revoke", tok.ID), ui: ui(f), status: 303,
				action: "water.token.revoke", objectType: "water_push_token", actor: "coordinator", objectID: arID(tok.ID),
				changes: []arChange{{"revoked_at", arAbsent, arSet}}}
		},
		"POST /water/imports": func(f *fixture) arCall {
			wtSample(f)
			body, h := mp("form.csv", wtHeader+"辽宁,大凌河,2020-09-10T08:00:00+08:00,7.5,6,5,0.8,0.15,正常\n", nil)
			return arCall{method: "POST", path: "/water/imports", ui: ui(f), json: body, header: h, status: 303,
				action: "water.import", objectType: "water_batch", actor: "coordinator", objectID: func(result) string {
					var id int64
					f.DB.R.QueryRow(`SELECT max(id) FROM water_batches`).Scan(&id)
					return fmt.Sprint(id)
				}}
		},
	}
}

func wtStationID(f *fixture, code string) int64 {
	var id int64
	f.DB.R.QueryRow(`SELECT id FROM water_stations WHERE code = $1`, code).Scan(&id)
	return id
}

func wtLastToken(f *fixture) int64 {
	var id int64
	f.DB.R.QueryRow(`SELECT max(id) FROM water_push_tokens`).Scan(&id)
	return id
}
