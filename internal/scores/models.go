// Package scores keeps scorecards (考核评价): a transparent scoring model of
// weighted items, each computed from live records (tasks, progress reports,
// rectification items, problems) or entered by hand; a scorecard per period
// that scores every active unit and ranks them; publishing that freezes it;
// and appeals (申诉) of one item that the office upholds with an adjusted
// score, which makes a new revision, or rejects with a reason.
package scores

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/changes"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
)

// Service is the scorecards' store.
type Service struct {
	DB     *db.DB
	Clock  clock.Clock
	writes changes.Counter
}

// Changes counts the writes this service has committed, for caches of what
// it reads.
func (s *Service) Changes() uint64 { return s.writes.N() }

func (s *Service) now() time.Time    { return s.Clock.Now() }
func (s *Service) today() clock.Date { return clock.Today(s.Clock) }

// Kind is what an item measures.
type Kind string

const (
	TaskOnTime          Kind = "task_on_time"          // lead unit's tasks due in the period, completed by their deadline
	ReportOnTime        Kind = "report_on_time"        // progress reports due in the period, first submitted on time
	ReportComplete      Kind = "report_complete"       // progress reports due in the period that were submitted at all
	ReportReturned      Kind = "report_returned"       // submitted reports sent back at least once: lower is better
	RectificationOnTime Kind = "rectification_on_time" // rectification items due in the period, closed by their deadline
	ProblemOnTime       Kind = "problem_on_time"       // problems handled by the unit, solved by their deadline
	Manual              Kind = "manual"                // points the office gives, e.g. the leaders' assessment
)

// Kinds lists every kind in display order.
var Kinds = []Kind{TaskOnTime, ReportOnTime, ReportComplete, ReportReturned, RectificationOnTime, ProblemOnTime, Manual}

// Item is one line of a model: its weight is the full points, its cap the
// most points it can lose (so a unit keeps at least weight − cap).
type Item struct {
	Kind   Kind    `json:"kind"`
	Label  string  `json:"label"`
	Weight float64 `json:"weight"`
	Cap    float64 `json:"cap"`
}

// Points turns a rate in [0,1] into the item's points.
func (it Item) Points(rate float64) float64 {
	return round2(it.Weight - math.Min(it.Cap, it.Weight*(1-rate)))
}

// Given turns the points the office gives on a manual item into the
// item's points: the cap bounds what it loses here too.
func (it Item) Given(points float64) float64 { return it.Points(points / it.Weight) }

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Model is a scoring model the office keeps.
type Model struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Total      float64   `json:"total"`       // what the weights sum to
	AppealDays int       `json:"appeal_days"` // days after publication a unit may appeal
	Items      []Item    `json:"items"`
	CreatedBy  string    `json:"created_by"`
	Version    int       `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ModelInput is what the office sets on a model.
type ModelInput struct {
	Name       string  `json:"name"`
	Total      float64 `json:"total"`
	AppealDays int     `json:"appeal_days"`
	Items      []Item  `json:"items"`
}

// sumTolerance absorbs the binary rounding of decimal weights (33.3 + 66.7).
const sumTolerance = 1e-6

func (in *ModelInput) validate() error {
	var v errs.Validation
	v.Text("name", in.Name, true, 200)
	if in.Total <= 0 || in.Total > 1000 {
		v.Add("total", "error.range", 1, 1000)
	}
	if in.AppealDays < 1 || in.AppealDays > 90 {
		v.Add("appeal_days", "error.range", 1, 90)
	}
	if len(in.Items) == 0 {
		v.Add("items", "error.required")
	}
	sum := 0.0
	for i, it := range in.Items {
		field := fmt.Sprintf("items[%d].", i)
		if !slices.Contains(Kinds, it.Kind) {
			v.Add(field+"kind", "error.choice")
		}
		v.Text(field+"label", it.Label, true, 200)
		if it.Weight <= 0 || math.IsNaN(it.Weight) {
			v.Add(field+"weight", "error.score.weight_positive")
		}
		if it.Cap <= 0 || it.Cap > it.Weight || math.IsNaN(it.Cap) {
			v.Add(field+"cap", "error.score.cap", it.Weight)
		}
		sum += it.Weight
	}
	if len(in.Items) > 0 && math.Abs(sum-in.Total) > sumTolerance {
		v.Add("items", "error.score.weight_sum", round2(sum), in.Total)
	}
	return v.Err()
}

const modelColumns = `id, name, total, appeal_days, created_by, version, created_at, updated_at`

func scanModel(row db.Scanner) (Model, error) {
	var m Model
	err := row.Scan(&m.ID, &m.Name, &m.Total, &m.AppealDays, &m.CreatedBy, &m.Version, &m.CreatedAt, &m.UpdatedAt)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, err
}

func scanItem(row db.Scanner) (Item, error) {
	var it Item
	return it, row.Scan(&it.Kind, &it.Label, &it.Weight, &it.Cap)
}

func getModel(ctx context.Context, q db.Querier, id int64) (Model, error) {
	m, err := scanModel(q.QueryRowContext(ctx, `SELECT `+modelColumns+` FROM score_models WHERE id = $1`, id))
	if err != nil {
		return m, errs.NotFoundIf(err, "score_model")
	}
	m.Items, err = db.All(ctx, q, scanItem, `SELECT kind, label, weight, cap FROM score_model_items WHERE model_id = $1 ORDER BY position`, id)
	return m, err
}

// Model returns one model with its items.
func (s *Service) Model(ctx context.Context, id int64) (Model, error) {
	if err := access.FromContext(ctx).Check(access.ViewScores, 0); err != nil {
		return Model{}, err
	}
	return getModel(ctx, s.DB.R, id)
}

// Models lists the models by name (without items).
func (s *Service) Models(ctx context.Context) ([]Model, error) {
	if err := access.FromContext(ctx).Check(access.ViewScores, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanModel, `SELECT `+modelColumns+` FROM score_models ORDER BY name, id`)
}

// CreateModel adds a model.
func (s *Service) CreateModel(ctx context.Context, in ModelInput) (Model, error) {
	if err := access.FromContext(ctx).Check(access.ManageScores, 0); err != nil {
		return Model{}, err
	}
	if err := in.validate(); err != nil {
		return Model{}, err
	}
	var m Model
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		var id int64
		now := s.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO score_models (name, total, appeal_days, created_by, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$5) RETURNING id`, in.Name, in.Total, in.AppealDays, access.FromContext(ctx).LoginOrSystem(), now).Scan(&id)
		if err != nil {
			return errs.Unique(err, "name")
		}
		if err := writeItems(ctx, tx, "score_model_items", "model_id", id, in.Items); err != nil {
			return err
		}
		if m, err = getModel(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "score_model.create", ObjectType: "score_model", ObjectID: id, After: m})
	})
	return m, err
}

// UpdateModel replaces a model's settings and items. Scorecards already
// made keep the items they were made with.
func (s *Service) UpdateModel(ctx context.Context, id int64, in ModelInput, version int) (Model, error) {
	if err := access.FromContext(ctx).Check(access.ManageScores, 0); err != nil {
		return Model{}, err
	}
	if err := in.validate(); err != nil {
		return Model{}, err
	}
	var after Model
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		before, err := getModel(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE score_models SET name=$1, total=$2, appeal_days=$3, version=version+1, updated_at=$4
			WHERE id=$5 AND version=$6`, in.Name, in.Total, in.AppealDays, s.now(), id, version)
		if err != nil {
			return errs.Unique(err, "name")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.StaleVersion(before)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM score_model_items WHERE model_id = $1`, id); err != nil {
			return err
		}
		if err := writeItems(ctx, tx, "score_model_items", "model_id", id, in.Items); err != nil {
			return err
		}
		if after, err = getModel(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "score_model.update", ObjectType: "score_model", ObjectID: id, Before: before, After: after})
	})
	return after, err
}

// writeItems stores items numbered from 1 under owner (a model or a scorecard).
func writeItems(ctx context.Context, tx *sql.Tx, table, owner string, id int64, items []Item) error {
	rows := make([][]any, len(items))
	for i, it := range items {
		rows[i] = []any{id, i + 1, it.Kind, it.Label, it.Weight, it.Cap}
	}
	return db.InsertRows(ctx, tx, `INSERT INTO `+table+` (`+owner+`, position, kind, label, weight, cap) VALUES `, `($%d,$%d,$%d,$%d,$%d,$%d)`, rows)
}
