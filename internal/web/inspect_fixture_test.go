package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/inspect"
	"concord/internal/problems"
)

// isObjs are the inspection and problem-list objects the route tests need:
// a round in progress over both units with a finding and its file, a
// rectification item of each unit, and a problem of each unit, raised and
// handled by it, with a file on the own unit's.
type isObjs struct {
	Round                    inspect.Round
	Finding                  inspect.Finding
	RectOwn, RectOther       inspect.Rectification
	ProblemOwn, ProblemOther problems.Problem
	InspectFile, ProblemFile int64
}

var (
	isMu   sync.Mutex
	isMade = map[*fixture]*isObjs{}
)

// isObjects makes the objects once per fixture.
func isObjects(f *fixture) *isObjs {
	f.t.Helper()
	isMu.Lock()
	defer isMu.Unlock()
	if o, ok := isMade[f]; ok {
		return o
	}
	o := &isObjs{}
	must := func(err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
	}
	insp, coord := apAs(f.Users[access.Inspector]), apCoordinator(f)
	o.Round = isRound(f, "矩阵检查")
	var err error
	o.Round, err = f.Srv.Inspect.SetRoundStatus(insp, o.Round.ID, inspect.InProgress, o.Round.Version)
	must(err)
	o.Finding, err = f.Srv.Inspect.AddFinding(insp, o.Round.ID, inspect.FindingInput{UnitID: f.Own.ID, Severity: inspect.Major, Description: "台账不全"})
	must(err)
	file, err := f.Srv.Inspect.AddEvidence(insp, "finding", o.Finding.ID, "现场照片.pdf", apPDF)
	must(err)
	o.InspectFile = file.ID
	due := clock.Today(clock.System).AddDays(30)
	o.RectOwn, err = f.Srv.Inspect.OpenRectification(insp, inspect.RectInput{SourceKind: inspect.SourceFinding, SourceRef: fmt.Sprint(o.Finding.ID), Requirement: "补齐台账", DueOn: due})
	must(err)
	o.RectOther, err = f.Srv.Inspect.OpenRectification(coord, inspect.RectInput{SourceKind: "test", SourceRef: "other", UnitID: f.Other.ID, Requirement: "整改", DueOn: due})
	must(err)
	o.ProblemOwn = isProblem(f, apAs(f.Users[access.Reporter]), f.Other.ID, f.Own.ID)
	o.ProblemOther = isProblem(f, apAs(f.Peer), f.Own.ID, f.Other.ID)
	file, err = f.Srv.Problems.AddEvidence(apAs(f.Users[access.Reporter]), o.ProblemOwn.ID, "说明.txt", []byte("协调说明"))
	must(err)
	o.ProblemFile = file.ID
	isMade[f] = o
	return o
}

// isRound plans a round over both units, with the fixture's inspector.
func isRound(f *fixture, title string) inspect.Round {
	f.t.Helper()
	today := clock.Today(clock.System)
	r, err := f.Srv.Inspect.CreateRound(apAs(f.Users[access.Inspector]), inspect.RoundInput{Title: title, PlanID: &f.Plan.ID,
		UnitIDs: []int64{f.Own.ID, f.Other.ID}, Inspectors: []int64{f.Users[access.Inspector].ID}, StartsOn: today, EndsOn: today.AddDays(20)})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// isProblem is a problem raised as raiser involving other, which the office
// has given to handler.
func isProblem(f *fixture, raiser context.Context, other, handler int64) problems.Problem {
	f.t.Helper()
	p, err := f.Srv.Problems.Raise(raiser, problems.Input{Category: "infrastructure", Title: "疏港铁路接轨", Ask: "请协调接轨方案", UnitIDs: []int64{other}})
	if err == nil {
		p, err = f.Srv.Problems.TriageProblem(apCoordinator(f), p.ID, problems.Triage{Accept: true, HandlingUnitID: handler, DueOn: clock.Today(clock.System).AddDays(30)}, p.Version)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// pmIsInspectPath tells the permission matrix which paths pmInspectTargets fills in.
func pmIsInspectPath(p string) bool {
	for _, prefix := range []string{"/inspections", "/findings/", "/inspection-files/", "/rectifications", "/problems", "/problem-files/"} {
		if strings.HasPrefix(strings.TrimPrefix(p, "/api/v1"), prefix) {
			return true
		}
	}
	return false
}

// pmInspectTargets fills in the path parameters of the inspection and
// problem-list routes.
func pmInspectTargets(f *fixture, p string, sub func(string, ...any) []pmTarget) []pmTarget {
	o := isObjects(f)
	switch path := strings.TrimPrefix(p, "/api/v1"); {
	case strings.HasPrefix(path, "/inspections/{id}"):
		return sub("{id}", o.Round.ID, "")
	case strings.HasPrefix(path, "/findings/{id}"):
		return sub("{id}", o.Finding.ID, "")
	case strings.HasPrefix(path, "/inspection-files/{id}"):
		return sub("{id}", o.InspectFile, "")
	case strings.HasPrefix(path, "/problem-files/{id}"):
		return sub("{id}", o.ProblemFile, "")
	case strings.HasPrefix(path, "/rectifications/{id}"):
		return sub("{id}", o.RectOwn.ID, "own", o.RectOther.ID, "other")
	case strings.HasPrefix(path, "/problems/{id}"):
		return sub("{id}", o.ProblemOwn.ID, "own", o.ProblemOther.ID, "other")
	case path == "/problems":
		return []pmTarget{{path: p, unit: "own"}} // raised by the caller's own unit
	}
	return []pmTarget{{path: p}}
}

func init() {
	business := func(r pmReach) map[access.Role]pmReach {
		return map[access.Role]pmReach{access.Coordinator: r, access.UnitLeader: r, access.Reporter: r, access.Inspector: r, access.Viewer: r}
	}
	unitStaff := map[access.Role]pmReach{access.Reporter: pmOwn, access.UnitLeader: pmOwn}
	for action, rule := range map[access.Action]map[access.Role]pmReach{
		access.ViewInspections:      business(pmAny),
		access.EditInspections:      {access.Coordinator: pmAny, access.Inspector: pmAny},
		access.RespondRectification: unitStaff,
		access.ViewProblems:         business(pmAny),
		access.RaiseProblem:         unitStaff,
		access.TriageProblem:        {access.Coordinator: pmAny},
		access.RespondProblem:       unitStaff,
	} {
		pmRules[action] = rule
	}
}

// isPagePaths are the pages of inspections, rectification and the problem
// list, for the pages test: a round in progress and a corrected finished
// one, items and problems of both units, lists with filters.
func isPagePaths(f *fixture) []string {
	o := isObjects(f)
	insp := apAs(f.Users[access.Inspector])
	done := isRound(f, "已结束的检查")
	done, err := f.Srv.Inspect.SetRoundStatus(insp, done.ID, inspect.InProgress, done.Version)
	if err == nil {
		done, err = f.Srv.Inspect.SetRoundStatus(insp, done.ID, inspect.Finished, done.Version)
	}
	if err == nil {
		in := inspect.RoundInput{Title: "已更正的检查", PlanID: done.PlanID, UnitIDs: done.UnitIDs, Inspectors: done.Inspectors, StartsOn: done.StartsOn, EndsOn: done.EndsOn}
		_, err = f.Srv.Inspect.CorrectRound(insp, done.ID, in, "名称有误", done.Version)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return []string{"/inspections", fmt.Sprintf("/inspections/%d", o.Round.ID), fmt.Sprintf("/inspections/%d", done.ID),
		"/rectifications", "/rectifications?open=1&status=open",
		fmt.Sprintf("/rectifications/%d", o.RectOwn.ID), fmt.Sprintf("/rectifications/%d", o.RectOther.ID),
		"/problems", "/problems?open=1&escalated=1", fmt.Sprintf("/problems/%d", o.ProblemOwn.ID), fmt.Sprintf("/problems/%d", o.ProblemOther.ID)}
}
