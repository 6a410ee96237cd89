package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/scores"
)

// The pages of scorecards: the list with the scoring models, a model's
// editor, a scorecard with its ranking, one score's records, and the
// appeal and ruling forms.

func init() {
	enums["score_kind"] = enumOf("score.kind.", scores.Kinds...)
	enums["score_status"] = enumOf("score.status.", scores.Draft, scores.Published)
	enums["appeal_status"] = enumOf("score.appeal.", scores.Pending, scores.Upheld, scores.Rejected)
	enums["period_kind"] = enumOf("score.period.", scores.Month, scores.Quarter, scores.Year, scores.Custom)
}

// scoreUIRoutes are the scorecards' pages and forms.
func (s *Server) scoreUIRoutes(ui func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{
		ui("GET", "/scorecards", access.ViewScores, nil, s.showPage(s.scorecardsPage)),
		ui("POST", "/scorecards", access.ManageScores, nil, s.submitCreateScorecard),
		ui("GET", "/score-models", access.ViewScores, nil, s.showPage(s.scoreModelPage)),
		ui("POST", "/score-models", access.ManageScores, nil, s.submitCreateScoreModel),
		ui("GET", "/score-models/{id}", access.ViewScores, nil, s.showPage(s.scoreModelPage)),
		ui("POST", "/score-models/{id}", access.ManageScores, nil, s.objectAction("/score-models/", s.scoreModelPage, "model", s.updateScoreModel)),
		ui("GET", "/scorecards/{id}", access.ViewScores, nil, s.showPage(s.scorecardPage)),
		ui("POST", "/scorecards/{id}/manual", access.ManageScores, nil, s.scorecardAction("manual", s.setManualScore)),
		ui("POST", "/scorecards/{id}/publish", access.ManageScores, nil, s.scorecardAction("publish", s.publishScorecard)),
		ui("POST", "/scorecards/{id}/correct", access.ManageScores, nil, s.scorecardAction("correct", s.correctScorecard)),
		ui("POST", "/scorecards/{id}/units/{unit}/appeals", access.AppealScore, unitOfAppeal, s.scorecardAction("appeal", s.fileAppeal)),
		ui("POST", "/appeals/{id}/ruling", access.ManageScores, nil, s.submitRuling),
		ui("GET", "/scorecards/{id}/units/{unit}/items/{position}", access.ViewScores, nil, s.showPage(s.scoreItemPage)),
	}
}

// modelRows is how many item rows the model form offers.
const modelRows = 10

// modelForm is the model editor's rows, filled from a model.
type modelForm struct {
	Values url.Values
	Rows   []int
}

func newModelForm(m scores.Model) modelForm {
	v := url.Values{"name": {m.Name}, "total": {num(m.Total)}, "appeal_days": {strconv.Itoa(m.AppealDays)}}
	if m.ID == 0 {
		v = url.Values{"total": {"100"}, "appeal_days": {"7"}}
	}
	for i, it := range m.Items {
		p := fmt.Sprintf("items[%d].", i)
		v[p+"kind"], v[p+"label"], v[p+"weight"], v[p+"cap"] = []string{string(it.Kind)}, []string{it.Label}, []string{num(it.Weight)}, []string{num(it.Cap)}
	}
	rows := make([]int, max(modelRows, len(m.Items)))
	for i := range rows {
		rows[i] = i
	}
	return modelForm{v, rows}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Field names row i's field.
func (modelForm) Field(i int, name string) string { return fmt.Sprintf("items[%d].%s", i, name) }

// readModel reads the model form: rows left blank are not items.
func readModel(f *formIn) scores.ModelInput {
	in := scores.ModelInput{Name: f.text("name"), Total: f.float("total"), AppealDays: f.int("appeal_days")}
	for i := 0; f.vals.Has(fmt.Sprintf("items[%d].kind", i)); i++ {
		p := fmt.Sprintf("items[%d].", i)
		if f.text(p+"kind") == "" && f.text(p+"label") == "" {
			continue
		}
		in.Items = append(in.Items, scores.Item{Kind: scores.Kind(f.text(p + "kind")), Label: f.text(p + "label"), Weight: f.float(p + "weight"), Cap: f.float(p + "cap")})
	}
	return in
}

type scorecardsData struct {
	Scorecards []scores.Scorecard
	Models     []scores.Model
}

// ModelChoices are the models to start a scorecard with.
func (d *scorecardsData) ModelChoices() []option {
	out := make([]option, len(d.Models))
	for i, m := range d.Models {
		out[i] = option{itoa(m.ID), m.Name}
	}
	return out
}

func (s *Server) scorecardsPage(r *http.Request, f form) (string, pageData, error) {
	d := &scorecardsData{}
	p := s.newPage(r, "scores.ui.page.scorecards", d)
	p.Form = f
	var err error
	if d.Scorecards, err = s.Scores.Scorecards(r.Context()); err == nil {
		d.Models, err = s.Scores.Models(r.Context())
	}
	return "scorecards", p, err
}

func (s *Server) submitCreateScorecard(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	in := scores.ScorecardInput{ModelID: f.id("model_id"), Title: f.text("title"), PeriodKind: f.text("period_kind"), StartsOn: f.date("starts_on"), EndsOn: f.date("ends_on")}
	err := f.err()
	var c scores.Scorecard
	if err == nil {
		c, err = s.Scores.CreateScorecard(r.Context(), in)
	}
	s.finish(w, r, err, "scorecard", s.scorecardsPage, "/scorecards/"+itoa(c.ID))
}

func (s *Server) submitCreateScoreModel(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	in := readModel(f)
	err := f.err()
	var m scores.Model
	if err == nil {
		m, err = s.Scores.CreateModel(r.Context(), in)
	}
	s.finish(w, r, err, "model", s.scoreModelPage, "/score-models/"+itoa(m.ID))
}

// scoreModelData is a model and its editor, or (at /score-models) the
// list of models and the form for a new one.
type scoreModelData struct {
	Model  scores.Model
	Models []scores.Model
	Form   modelForm
}

func (s *Server) scoreModelPage(r *http.Request, f form) (string, pageData, error) {
	d := &scoreModelData{}
	p := s.newPage(r, "scores.ui.page.models", d)
	p.Form = f
	var err error
	if r.PathValue("id") == "" {
		d.Models, err = s.Scores.Models(r.Context())
	} else {
		var id int64
		if id, err = pathID(r, "id"); err == nil {
			d.Model, err = s.Scores.Model(r.Context(), id)
		}
		p.Title = p.T("scores.ui.model.title", d.Model.Name)
	}
	d.Form = newModelForm(d.Model)
	return "score_model", p, err
}

func (s *Server) updateScoreModel(ctx context.Context, id int64, f *formIn) error {
	in := readModel(f)
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Scores.UpdateModel(ctx, id, in, f.version())
	return err
}

type scorecardData struct {
	*directory
	Card      scores.Scorecard
	Lines     []scores.UnitCard // best first
	Appeals   []scores.Appeal
	Revisions []scores.RevisionNote
	Chart     chart
	Manual    []option // the manual items, to give points on
	Items     []option // every item, to appeal
	Draft     bool
	Appealing bool // the viewer's unit may appeal now
}

// Link is the page of unit's score on item i (from 0).
func (d *scorecardData) Link(unit int64, i int) string {
	return fmt.Sprintf("/scorecards/%d/units/%d/items/%d", d.Card.ID, unit, i+1)
}

// Points writes an appeal's adjusted points.
func (*scorecardData) Points(p *float64) string {
	if p == nil {
		return ""
	}
	return num(*p)
}

// Ref is the appeal a revision names.
func (*scorecardData) Ref(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// Item names the item at position (from 1).
func (d *scorecardData) Item(position int) string {
	if position < 1 || position > len(d.Card.Items) {
		return "#" + strconv.Itoa(position)
	}
	return d.Card.Items[position-1].Label
}

func (s *Server) scorecardPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &scorecardData{}
	p := s.newPage(r, "scores.ui.page.scorecard", d)
	p.Form = f
	id, err := pathID(r, "id")
	if err == nil {
		d.Card, d.Lines, err = s.Scores.Results(ctx, id)
	}
	if err == nil {
		d.directory, err = s.directory(ctx, p.Lang)
	}
	if err == nil {
		d.Appeals, err = s.Scores.Appeals(ctx, id)
	}
	if err == nil {
		d.Revisions, err = s.Scores.Revisions(ctx, id)
	}
	if err != nil {
		return "", p, err
	}
	c := d.Card
	p.Title = c.Title
	d.Draft = c.Status == scores.Draft
	d.Appealing = !d.Draft && c.AppealUntil != nil && !clock.Today(clock.System).After(*c.AppealUntil) && p.Actor.Can(access.AppealScore, p.Actor.UnitID)
	for i, it := range c.Items {
		o := option{strconv.Itoa(i + 1), it.Label}
		d.Items = append(d.Items, o)
		if it.Kind == scores.Manual {
			d.Manual = append(d.Manual, o)
		}
	}
	d.Chart = rankingChart(p, "ranking-chart", scores.StandingsOf(d.Lines))
	return "scorecard", p, nil
}

// rankingChart is the units' totals, best first.
func rankingChart(p pageData, id string, units []scores.Standing) chart {
	ch := newChart(p, id, "scores.ui.ranking", "bar", p.T("scores.ui.col.unit"), p.T("scores.ui.col.rank"), p.T("scores.ui.col.total"))
	labels, values := []string{}, []float64{}
	for _, u := range units {
		name := p.Name(u.Name)
		labels, values = append(labels, name), append(values, u.Total)
		ch.Rows = append(ch.Rows, chartRow{Label: name, Cells: []any{u.Rank, num(u.Total)}})
	}
	ch.Spec["labels"], ch.Spec["values"] = labels, values
	return ch
}

func (s *Server) scorecardAction(formID string, act func(ctx context.Context, id int64, f *formIn) error) http.HandlerFunc {
	return s.objectAction("/scorecards/", s.scorecardPage, formID, act)
}

func (s *Server) setManualScore(ctx context.Context, id int64, f *formIn) error {
	in := scores.ManualInput{UnitID: f.id("unit_id"), Position: f.int("position"), Points: f.float("points"), Note: f.text("note")}
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Scores.SetManual(ctx, id, in, f.version())
	return err
}

func (s *Server) publishScorecard(ctx context.Context, id int64, f *formIn) error {
	_, err := s.Scores.Publish(ctx, id, f.version())
	return err
}

func (s *Server) correctScorecard(ctx context.Context, id int64, f *formIn) error {
	_, err := s.Scores.Correct(ctx, id, f.text("reason"), f.version())
	return err
}

// fileAppeal appeals for the unit the path names (the route checked it is
// the viewer's own).
func (s *Server) fileAppeal(ctx context.Context, id int64, f *formIn) error {
	in := scores.AppealInput{UnitID: access.FromContext(ctx).UnitID, Position: f.int("position"), Reason: f.text("reason")}
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Scores.FileAppeal(ctx, id, in)
	return err
}

// submitRuling rules on an appeal from the scorecard's page and goes back
// there.
func (s *Server) submitRuling(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	id, _ := pathID(r, "id")
	ruling := scores.Ruling{Uphold: f.text("verdict") == "uphold", Points: f.number("points"), Reason: f.text("reason")}
	err := f.err()
	var a scores.Appeal
	if err == nil {
		a, err = s.Scores.Appeal(r.Context(), id)
	}
	if err == nil {
		_, err = s.Scores.Rule(r.Context(), id, ruling, f.version())
	}
	back := func(r *http.Request, f form) (string, pageData, error) {
		r.SetPathValue("id", itoa(a.ScorecardID))
		return s.scorecardPage(r, f)
	}
	s.finish(w, r, err, "ruling-"+itoa(id), back, "/scorecards/"+itoa(a.ScorecardID))
}

type scoreItemData struct {
	*directory
	Card      scores.Scorecard
	UnitID    int64
	Position  int
	Breakdown scores.Breakdown
}

// Link is a record's page.
func (scoreItemData) Link(r scores.Record) string {
	return fmt.Sprintf("/%ss/%d", r.Object, r.ID)
}

func (s *Server) scoreItemPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &scoreItemData{}
	p := s.newPage(r, "scores.ui.page.item", d)
	p.Form = f
	id, err := pathID(r, "id")
	if err == nil {
		d.UnitID, err = pathID(r, "unit")
	}
	if err == nil {
		d.Position, _ = strconv.Atoi(r.PathValue("position"))
		d.Breakdown, err = s.Scores.Breakdown(ctx, id, d.UnitID, d.Position)
	}
	if err == nil {
		d.Card, err = s.Scores.Scorecard(ctx, id)
	}
	if err == nil {
		d.directory, err = s.directory(ctx, p.Lang)
	}
	if err != nil {
		return "", p, err
	}
	p.Title = p.T("scores.ui.item.title", d.Unit(d.UnitID), d.Breakdown.Item.Label)
	return "score_item", p, nil
}
