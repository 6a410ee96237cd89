package web

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/inspect"
	"concord/internal/meetings"
	"concord/internal/problems"
	"concord/internal/scores"
)

// supervisionFigures are the alliance's meeting decisions by status, open
// rectification items by unit and open problems: a few small counts, read
// fresh by the API and drawn into the dashboard (supervisionDrawn).
type supervisionFigures struct {
	Decisions meetings.Overview `json:"decisions"`
	Rects     inspect.Overview  `json:"rectifications"`
	Problems  problems.Overview `json:"problems"`
	// Scorecard is the latest published scorecard and its ranking; null
	// while none is published.
	Scorecard *scores.Current `json:"scorecard"`
}

func (s *Server) supervisionFigures(ctx context.Context) (supervisionFigures, error) {
	var sf supervisionFigures
	var err error
	if sf.Decisions, err = s.Meetings.Overview(ctx, overdueDecisions); err != nil {
		return sf, err
	}
	if sf.Rects, err = s.Inspect.Overview(ctx); err != nil {
		return sf, err
	}
	if sf.Problems, err = s.Problems.Overview(ctx); err != nil {
		return sf, err
	}
	sf.Scorecard, err = s.Scores.Current(ctx)
	return sf, err
}

// apiSupervision serves the figures of the dashboard's supervision block.
func (s *Server) apiSupervision(w http.ResponseWriter, r *http.Request) {
	sf, err := s.supervisionFigures(r.Context())
	respond(s, w, r, sf, 0, err)
}

// supervision is the dashboard's alliance-wide block: the figures, and
// charts of them where a picture reads faster.
type supervision struct {
	supervisionFigures
	// LateDecisions counts every overdue decision, listed or not.
	LateDecisions int
	// ProblemTiles count the open problems at each step, linking to them.
	ProblemTiles []countTile
	Charts       []chart
	// Ranking draws the current scorecard's ranking.
	Ranking chart
}

// countTile is a count that links to the list it counts.
type countTile struct {
	Label string
	N     int
	Link  string
}

// overdueDecisions is how many overdue decisions the dashboard lists, the
// earliest due first.
const overdueDecisions = 10

// supervisionBlock is what the block's template draws from.
type supervisionBlock struct {
	P   pageData
	Sv  *supervision
	Dir *directory
}

// supervisionReads are what reading the figures needs: asked again when a
// block drawn for someone else is served.
var supervisionReads = []access.Action{access.ViewMeetings, access.ViewInspections, access.ViewProblems, access.ViewScores}

// supervisionDrawn is the block drawn in p's language. Its figures are
// read by several queries whose statements SQLite compiles anew each time,
// a fifth of a dashboard's work: the block drawn is kept while they cannot
// have changed (supervisionStamp), as the charts above it are.
func (s *Server) supervisionDrawn(ctx context.Context, p pageData, dir *directory) (template.HTML, error) {
	for _, a := range supervisionReads {
		if err := access.FromContext(ctx).Check(a, 0); err != nil {
			return "", err
		}
	}
	key, from := derivedKey{"dashboard.supervision", 0, p.Lang}, derivedFrom{s.supervisionStamp(), dir.all}
	if v, ok := s.derived.get(key, from); ok {
		return v.(template.HTML), nil
	}
	sv, err := s.supervisionOf(ctx, p, dir)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := s.pages.byName["dashboard"].ExecuteTemplate(&buf, "dashboard-supervision", supervisionBlock{p, sv, dir}); err != nil {
		return "", err
	}
	drawn := template.HTML(buf.String())
	s.derived.put(key, from, drawn)
	return drawn, nil
}

// supervisionWindow bounds how long a drawn block is served after another
// instance wrote: the plans dashboard's own bound (plans.dashboardTTL).
const supervisionWindow = 10 * time.Second

// supervisionStamp tells which figures a block was drawn from: the writes
// this instance committed through each service they are read from, the
// day (what is overdue moves with it) and the current 10-second window
// (what other instances wrote). Taken before the figures are read, a write
// meanwhile leaves the block already stale.
type supervisionStamp struct {
	writes [5]uint64
	day    clock.Date
	window int64
}

func (s *Server) supervisionStamp() supervisionStamp {
	now := s.Plans.Clock.Now()
	return supervisionStamp{
		writes: [5]uint64{s.Plans.Changes(), s.Meetings.Changes(), s.Inspect.Changes(), s.Problems.Changes(), s.Scores.Changes()},
		day:    clock.DayOf(now),
		window: now.UnixNano() / int64(supervisionWindow),
	}
}

func (s *Server) supervisionOf(ctx context.Context, p pageData, dir *directory) (*supervision, error) {
	sf, err := s.supervisionFigures(ctx)
	if err != nil {
		return nil, err
	}
	sv := &supervision{supervisionFigures: sf, LateDecisions: sf.Decisions.Totals[meetings.Overdue]}
	for _, st := range problems.OpenStatuses {
		sv.ProblemTiles = append(sv.ProblemTiles, countTile{p.Label("problem_status", st), sv.Problems.ByStatus[st], "/problems?" + url.Values{"status": {string(st)}}.Encode()})
	}
	sv.ProblemTiles = append(sv.ProblemTiles, countTile{p.T("problems.ui.escalated"), sv.Problems.Escalated, "/problems?open=1&escalated=1"})
	sv.Charts = []chart{decisionChart(p, sv.Decisions), rectChart(p, dir, sv.Rects)}
	if sv.Scorecard != nil {
		sv.Ranking = rankingChart(p, "dash-ranking-chart", sv.Scorecard.Ranking)
	}
	return sv, nil
}

// decisionChart is the decisions of every meeting by status, as a ring.
func decisionChart(p pageData, o meetings.Overview) chart {
	ch := newChart(p, "decision-chart", "supervision.dash.decisions", "pie", p.T("meeting.col.status"), p.T("supervision.dash.count"))
	data := []map[string]any{}
	for _, st := range meetings.DecisionStatuses {
		if n := o.Totals[st]; n > 0 {
			name := p.T("meeting.decision.status." + string(st))
			data = append(data, map[string]any{"name": name, "value": n})
			ch.Rows = append(ch.Rows, chartRow{Label: name, Cells: []any{n}})
		}
	}
	ch.Spec["data"] = data
	return ch
}

// rectChart stacks each unit's open rectification items: still in time,
// and overdue.
func rectChart(p pageData, dir *directory, o inspect.Overview) chart {
	inTime, late := p.T("supervision.dash.in_time"), p.T("supervision.dash.overdue")
	ch := newChart(p, "rect-chart", "supervision.dash.rects", "stack", p.T("inspect.ui.col.unit"), inTime, late, p.T("plans.ui.col.total"))
	labels, open, overdue := []string{}, []int{}, []int{}
	for _, u := range o.ByUnit {
		name := dir.Unit(u.UnitID)
		labels, open, overdue = append(labels, name), append(open, u.Open-u.Overdue), append(overdue, u.Overdue)
		ch.Rows = append(ch.Rows, chartRow{Label: name, Cells: []any{u.Open - u.Overdue, u.Overdue, u.Open}})
	}
	ch.Spec["categories"] = labels
	ch.Spec["series"] = []map[string]any{
		{"name": inTime, "key": "light-yellow", "values": open},
		{"name": late, "key": "light-red", "values": overdue},
	}
	return ch
}
