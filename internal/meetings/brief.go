package meetings

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"html"
	"html/template"
	"io"
	"sort"
	"strings"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/plans"
)

// Brief is what the coordination office reports to a meeting: how every
// decision of the earlier meetings stands, tallied per lead unit and per
// coordination area, the plans in force, and any sections other
// capabilities add (problems escalated, inspection results).
type Brief struct {
	Meeting   Meeting                `json:"meeting"`
	Today     clock.Date             `json:"today"`
	Lang      string                 `json:"lang"`
	Decisions []BriefDecision        `json:"decisions"`
	Totals    map[DecisionStatus]int `json:"totals"`
	ByUnit    []Tally                `json:"by_unit"`
	ByArea    []Tally                `json:"by_area"`
	Plans     []PlanLine             `json:"plans"`
	Sections  []Section              `json:"sections"`
}

// BriefDecision is an earlier decision with where it was taken and its tasks.
type BriefDecision struct {
	Decision
	MeetingTitle string      `json:"meeting_title"`
	HeldOn       clock.Date  `json:"held_on"`
	LeadUnit     string      `json:"lead_unit"`
	Area         string      `json:"area"`
	Tasks        []BriefTask `json:"tasks"`
}

// BriefTask is one task of a decision as the brief shows it.
type BriefTask struct {
	Code     string      `json:"code"`
	Title    string      `json:"title"`
	LeadUnit string      `json:"lead_unit"`
	Light    plans.Light `json:"light"`
	Progress float64     `json:"progress"`
	DueOn    clock.Date  `json:"due_on"`
}

// Tally counts decisions by status for one unit or area.
type Tally struct {
	ID     int64                  `json:"id"`
	Name   string                 `json:"name"`
	Counts map[DecisionStatus]int `json:"counts"`
	Total  int                    `json:"total"`
}

// PlanLine is a plan in force and its tasks' lights.
type PlanLine struct {
	Code   string            `json:"code"`
	Name   string            `json:"name"`
	Counts plans.LightCounts `json:"counts"`
}

// Section is a table another capability contributes to the brief.
type Section struct {
	Title string     `json:"title"`
	Head  []string   `json:"head"`
	Rows  [][]string `json:"rows"`
}

// Scope is what a section provider is asked about: the days since the
// previous meeting up to the day before this one, and the brief's language.
type Scope struct {
	MeetingID int64
	Since     clock.Date // the previous meeting's day; zero when there was none
	Before    clock.Date // things up to the day before the meeting
	Lang      string
}

// SectionProvider adds sections to a brief, e.g. the problem list's
// escalated problems or the inspections' open rectifications. Providers are
// wired in by the application, so this package depends on none of them.
type SectionProvider interface {
	BriefSections(ctx context.Context, scope Scope) ([]Section, error)
}

// Brief gathers the brief for meeting id from live data, names in lang.
func (s *Service) Brief(ctx context.Context, id int64, lang string, providers ...SectionProvider) (Brief, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return Brief{}, err
	}
	m, err := getMeeting(ctx, s.DB.R, id)
	if err != nil {
		return Brief{}, err
	}
	b := Brief{Meeting: m, Today: clock.Today(s.Clock), Lang: lang, Totals: map[DecisionStatus]int{}, Decisions: []BriefDecision{}, Sections: []Section{}}
	units, err := names(ctx, s.DB.R, "units", lang)
	if err != nil {
		return Brief{}, err
	}
	areas, err := names(ctx, s.DB.R, "areas", lang)
	if err != nil {
		return Brief{}, err
	}
	ds, lines, err := decisions(ctx, s.DB.R, DecisionFilter{HeldBefore: m.HeldOn, SameDayBefore: m.ID})
	if err != nil {
		return Brief{}, err
	}
	meetingTitles := map[int64]Meeting{}
	byUnit, byArea := map[int64]*Tally{}, map[int64]*Tally{}
	for _, d := range ds {
		mt, ok := meetingTitles[d.MeetingID]
		if !ok {
			if mt, err = getMeeting(ctx, s.DB.R, d.MeetingID); err != nil {
				return Brief{}, err
			}
			meetingTitles[d.MeetingID] = mt
		}
		bd := BriefDecision{Decision: d, MeetingTitle: mt.Title, HeldOn: mt.HeldOn, LeadUnit: units[d.LeadUnitID], Area: areas[d.AreaID], Tasks: []BriefTask{}}
		for _, tid := range d.TaskIDs {
			t := lines[tid]
			bd.Tasks = append(bd.Tasks, BriefTask{Code: t.code, Title: t.title, LeadUnit: units[t.leadUnitID], Light: t.light, Progress: t.progress, DueOn: t.dueOn})
		}
		b.Decisions = append(b.Decisions, bd)
		b.Totals[d.Status]++
		tally(byUnit, d.LeadUnitID, units, d.Status)
		tally(byArea, d.AreaID, areas, d.Status)
	}
	b.ByUnit, b.ByArea = sorted(byUnit), sorted(byArea)
	ps, err := s.Plans.Plans(ctx)
	if err != nil {
		return Brief{}, err
	}
	lights, err := s.Plans.LightsByPlan(ctx)
	if err != nil {
		return Brief{}, err
	}
	for _, p := range ps {
		if p.Status == plans.InForce {
			b.Plans = append(b.Plans, PlanLine{Code: p.Code, Name: p.Name, Counts: lights[p.ID]})
		}
	}
	scope := Scope{MeetingID: id, Before: m.HeldOn.AddDays(-1), Lang: lang}
	if scope.Since, err = previousDay(ctx, s.DB.R, m); err != nil {
		return Brief{}, err
	}
	for _, p := range providers {
		sections, err := p.BriefSections(ctx, scope)
		if err != nil {
			return Brief{}, err
		}
		b.Sections = append(b.Sections, sections...)
	}
	return b, nil
}

// previousDay is the day of the meeting held before m (by day, then by the
// order recorded, as a brief's earlier meetings), or zero for the first.
func previousDay(ctx context.Context, q db.Querier, m Meeting) (clock.Date, error) {
	var d clock.Date
	err := q.QueryRowContext(ctx, `SELECT held_on FROM meetings WHERE held_on < $1 OR held_on = $1 AND id < $2
		ORDER BY held_on DESC, id DESC LIMIT 1`, m.HeldOn, m.ID).Scan(&d)
	if errors.Is(err, sql.ErrNoRows) {
		return clock.Date{}, nil
	}
	return d, err
}

// UnitNames are the names of every unit in lang, for section providers.
func UnitNames(ctx context.Context, q db.Querier, lang string) (map[int64]string, error) {
	return names(ctx, q, "units", lang)
}

func tally(m map[int64]*Tally, id int64, names map[int64]string, st DecisionStatus) {
	t := m[id]
	if t == nil {
		t = &Tally{ID: id, Name: names[id], Counts: map[DecisionStatus]int{}}
		m[id] = t
	}
	t.Counts[st]++
	t.Total++
}

// sorted lists tallies, the most decisions first, then by name.
func sorted(m map[int64]*Tally) []Tally {
	out := make([]Tally, 0, len(m))
	for _, t := range m {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// names reads the names of every row of units or areas in lang.
func names(ctx context.Context, q db.Querier, table, lang string) (map[int64]string, error) {
	col := map[string]string{"zh-Hant": "name_zh_hant", "en": "name_en"}[lang]
	if col == "" {
		col = "name_zh_hans"
	}
	type row struct {
		id   int64
		name string
	}
	rows, err := db.All(ctx, q, func(sc db.Scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.id, &r.name)
	}, `SELECT id, `+col+` FROM `+table)
	out := map[int64]string{}
	for _, r := range rows {
		out[r.id] = r.name
	}
	return out, err
}

//go:embed brief.html
var briefHTML string

var briefTemplate = template.Must(template.New("brief").Funcs(template.FuncMap{
	"t":        func(string, ...any) string { return "" },
	"statuses": func() []DecisionStatus { return DecisionStatuses },
	"pct":      func(f float64) int { return int(f + 0.5) },
	"inc":      func(i int) int { return i + 1 },
	"lights":   func() []plans.Light { return plans.Lights },
	"tallies": func(title, head string, rows []Tally) tallyTable {
		return tallyTable{title, head, rows}
	},
}).Parse(briefHTML))

// tallyTable is one tally table of the brief's template.
type tallyTable struct {
	Title, Head string
	Rows        []Tally
}

// HTML writes the brief as a print-ready HTML fragment; tr gives the text
// for a catalogue key in the brief's language.
func (b Brief) HTML(w io.Writer, tr func(key string, args ...any) string) error {
	t, err := briefTemplate.Clone()
	if err != nil {
		return err
	}
	return t.Funcs(template.FuncMap{"t": tr}).Execute(w, b)
}

// Text is the brief's visible text, one line per block, for golden files
// and plain-text mail.
func Text(html string) string {
	var out []string
	for _, line := range strings.Split(stripTags(html), "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n") + "\n"
}

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(b.String())
}
