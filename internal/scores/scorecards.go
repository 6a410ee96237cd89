package scores

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"concord/internal/access"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
)

// Period kinds of a scorecard.
const (
	Month   = "month"
	Quarter = "quarter"
	Year    = "year"
	Custom  = "custom"
)

// Status is where a scorecard is: a draft follows live data, a published
// one is frozen.
type Status string

const (
	Draft     Status = "draft"
	Published Status = "published"
)

// Scorecard scores every active unit over a period with a copy of its
// model's items.
type Scorecard struct {
	ID          int64       `json:"id"`
	ModelID     int64       `json:"model_id"`
	Title       string      `json:"title"`
	PeriodKind  string      `json:"period_kind"`
	StartsOn    clock.Date  `json:"starts_on"`
	EndsOn      clock.Date  `json:"ends_on"`
	Total       float64     `json:"total"`
	AppealDays  int         `json:"appeal_days"`
	Status      Status      `json:"status"`
	Revision    int         `json:"revision"` // 0 while a draft
	PublishedAt *time.Time  `json:"published_at"`
	AppealUntil *clock.Date `json:"appeal_until"`
	Items       []Item      `json:"items"`
	CreatedBy   string      `json:"created_by"`
	Version     int         `json:"version"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// ScorecardInput starts a scorecard. For a month, quarter or year,
// StartsOn is the period's first day and EndsOn follows from it.
type ScorecardInput struct {
	ModelID    int64      `json:"model_id"`
	Title      string     `json:"title"`
	PeriodKind string     `json:"period_kind"`
	StartsOn   clock.Date `json:"starts_on"`
	EndsOn     clock.Date `json:"ends_on"`
}

func (in *ScorecardInput) validate() error {
	var v errs.Validation
	v.Text("title", in.Title, true, 200)
	if in.StartsOn.IsZero() {
		v.Add("starts_on", "error.required")
		return v.Err()
	}
	t := in.StartsOn.Time()
	months := map[string]int{Month: 1, Quarter: 3, Year: 12}[in.PeriodKind]
	switch {
	case in.PeriodKind == Custom:
		if in.EndsOn.IsZero() {
			v.Add("ends_on", "error.required")
		} else if in.EndsOn.Before(in.StartsOn) {
			v.Add("ends_on", "error.date_order")
		}
	case months == 0:
		v.Add("period_kind", "error.choice")
	case t.Day() != 1 || int(t.Month()-1)%months != 0:
		v.Add("starts_on", "error.score.period_start", in.PeriodKind)
	default:
		in.EndsOn = clock.DayOf(t.AddDate(0, months, -1))
	}
	return v.Err()
}

const scorecardColumns = `id, model_id, title, period_kind, starts_on, ends_on, total, appeal_days, status, revision, published_at, appeal_until, created_by, version, created_at, updated_at`

func scanScorecard(row db.Scanner) (Scorecard, error) {
	var c Scorecard
	var until clock.Date
	err := row.Scan(&c.ID, &c.ModelID, &c.Title, &c.PeriodKind, &c.StartsOn, &c.EndsOn, &c.Total, &c.AppealDays, &c.Status, &c.Revision,
		&c.PublishedAt, &until, &c.CreatedBy, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if c.PublishedAt != nil {
		t := c.PublishedAt.UTC()
		c.PublishedAt = &t
	}
	if !until.IsZero() {
		c.AppealUntil = &until
	}
	return c, err
}

func getScorecard(ctx context.Context, q db.Querier, id int64) (Scorecard, error) {
	c, err := scanScorecard(q.QueryRowContext(ctx, `SELECT `+scorecardColumns+` FROM scorecards WHERE id = $1`, id))
	if err != nil {
		return c, errs.NotFoundIf(err, "scorecard")
	}
	c.Items, err = db.All(ctx, q, scanItem, `SELECT kind, label, weight, cap FROM scorecard_items WHERE scorecard_id = $1 ORDER BY position`, id)
	return c, err
}

// Scorecard returns one scorecard with its items.
func (s *Service) Scorecard(ctx context.Context, id int64) (Scorecard, error) {
	if err := access.FromContext(ctx).Check(access.ViewScores, 0); err != nil {
		return Scorecard{}, err
	}
	return getScorecard(ctx, s.DB.R, id)
}

// Scorecards lists the scorecards, the latest period first (without items).
func (s *Service) Scorecards(ctx context.Context) ([]Scorecard, error) {
	if err := access.FromContext(ctx).Check(access.ViewScores, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanScorecard, `SELECT `+scorecardColumns+` FROM scorecards ORDER BY ends_on DESC, id DESC`)
}

// CreateScorecard starts a draft scorecard with the model's items as they are now.
func (s *Service) CreateScorecard(ctx context.Context, in ScorecardInput) (Scorecard, error) {
	if err := access.FromContext(ctx).Check(access.ManageScores, 0); err != nil {
		return Scorecard{}, err
	}
	if err := in.validate(); err != nil {
		return Scorecard{}, err
	}
	var c Scorecard
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		m, err := getModel(ctx, tx, in.ModelID)
		if errs.Is(err, errs.NotFound) {
			var v errs.Validation
			v.Add("model_id", "error.score.model_unknown", in.ModelID)
			return v.Err()
		}
		if err != nil {
			return err
		}
		var id int64
		now := s.now()
		err = tx.QueryRowContext(ctx, `INSERT INTO scorecards (model_id, title, period_kind, starts_on, ends_on, total, appeal_days, created_by, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING id`, m.ID, in.Title, in.PeriodKind, in.StartsOn, in.EndsOn, m.Total, m.AppealDays,
			access.FromContext(ctx).LoginOrSystem(), now).Scan(&id)
		if err != nil {
			return err
		}
		if err := writeItems(ctx, tx, "scorecard_items", "scorecard_id", id, m.Items); err != nil {
			return err
		}
		if c, err = getScorecard(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "scorecard.create", ObjectType: "scorecard", ObjectID: id, After: c})
	})
	return c, err
}

// ManualInput gives a unit's points on a manual item of a draft.
type ManualInput struct {
	UnitID   int64   `json:"unit_id"`
	Position int     `json:"position"` // the item, numbered from 1
	Points   float64 `json:"points"`
	Note     string  `json:"note"`
}

// SetManual records the office's points for a manual item of a draft.
func (s *Service) SetManual(ctx context.Context, id int64, in ManualInput, version int) (Scorecard, error) {
	return s.edit(ctx, id, version, "scorecard.manual", func(tx *sql.Tx, before Scorecard) (string, error) {
		if before.Status != Draft {
			return "", errs.New(errs.Conflict, "error.score.published")
		}
		var v errs.Validation
		it, ok := item(before, in.Position)
		switch {
		case !ok || it.Kind != Manual:
			v.Add("position", "error.score.not_manual")
		case in.Points < 0 || in.Points > it.Weight:
			v.Add("points", "error.range", 0, it.Weight)
		}
		v.Text("note", in.Note, false, 1000)
		if err := unitExists(ctx, tx, in.UnitID, &v); err != nil {
			return "", err
		}
		if err := v.Err(); err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM score_manual WHERE scorecard_id = $1 AND position = $2 AND unit_id = $3`, id, in.Position, in.UnitID); err != nil {
			return "", err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO score_manual (scorecard_id, position, unit_id, points, note) VALUES ($1,$2,$3,$4,$5)`,
			id, in.Position, in.UnitID, in.Points, in.Note)
		return "", err
	})
}

func item(c Scorecard, position int) (Item, bool) {
	if position < 1 || position > len(c.Items) {
		return Item{}, false
	}
	return c.Items[position-1], true
}

// unitExists adds an error on unit_id to v unless unit is active.
func unitExists(ctx context.Context, q db.Querier, unit int64, v *errs.Validation) error {
	ok, err := active(ctx, q, unit)
	if err == nil && !ok {
		v.Add("unit_id", "error.score.unit_unknown", unit)
	}
	return err
}

// active reports whether unit is an active unit, one a scorecard scores.
func active(ctx context.Context, q db.Querier, unit int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM units WHERE id = $1 AND active`, unit).Scan(&n)
	return n > 0, err
}

// Publish freezes a draft as revision 1; units may appeal for the model's
// appeal days from today.
func (s *Service) Publish(ctx context.Context, id int64, version int) (Scorecard, error) {
	return s.edit(ctx, id, version, "scorecard.publish", func(tx *sql.Tx, before Scorecard) (string, error) {
		if before.Status != Draft {
			return "", errs.New(errs.Conflict, "error.score.published")
		}
		return "", s.freeze(ctx, tx, before, "")
	})
}

// Correct recomputes a published scorecard from live data as its next
// revision, with the reason on the record; the appeal window opens again.
func (s *Service) Correct(ctx context.Context, id int64, reason string, version int) (Scorecard, error) {
	return s.edit(ctx, id, version, "scorecard.correct", func(tx *sql.Tx, before Scorecard) (string, error) {
		if before.Status != Published {
			return "", errs.New(errs.Conflict, "error.score.not_published")
		}
		var v errs.Validation
		v.Text("reason", reason, true, 1000)
		if err := v.Err(); err != nil {
			return "", err
		}
		return reason, s.freeze(ctx, tx, before, reason)
	})
}

// freeze computes the scorecard now and stores it as its next revision.
func (s *Service) freeze(ctx context.Context, tx *sql.Tx, c Scorecard, reason string) error {
	cards, err := s.compute(ctx, tx, c)
	if err != nil {
		return err
	}
	rev := c.Revision + 1
	var rows [][]any
	for _, u := range cards {
		for i, sc := range u.Scores {
			rows = append(rows, []any{c.ID, rev, u.UnitID, i + 1, sc.Numerator, sc.Denominator, sc.Points, sc.Applicable, sc.AppealID})
		}
	}
	if err := db.InsertRows(ctx, tx, `INSERT INTO score_rows (scorecard_id, revision, unit_id, position, numerator, denominator, points, applicable, appeal_id) VALUES `,
		`($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)`, rows); err != nil {
		return err
	}
	return s.newRevision(ctx, tx, c, rev, reason, nil)
}

// newRevision records revision rev, made for a correction's reason or an
// upheld appeal, and opens the appeal window from today.
func (s *Service) newRevision(ctx context.Context, tx *sql.Tx, c Scorecard, rev int, reason string, appeal *int64) error {
	now := s.now()
	_, err := tx.ExecContext(ctx, `INSERT INTO scorecard_revisions (scorecard_id, revision, reason, appeal_id, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6)`,
		c.ID, rev, reason, appeal, access.FromContext(ctx).LoginOrSystem(), now)
	if err != nil {
		return err
	}
	published := c.PublishedAt
	if published == nil {
		published = &now
	}
	_, err = tx.ExecContext(ctx, `UPDATE scorecards SET status = $1, revision = $2, published_at = $3, appeal_until = $4, updated_at = $5 WHERE id = $6`,
		Published, rev, *published, s.today().AddDays(c.AppealDays), now, c.ID)
	return err
}

// edit claims a scorecard's version, checks that the actor manages
// scorecards, applies change and records before and after.
func (s *Service) edit(ctx context.Context, id int64, version int, action string, change func(*sql.Tx, Scorecard) (string, error)) (Scorecard, error) {
	if err := access.FromContext(ctx).Check(access.ManageScores, 0); err != nil {
		return Scorecard{}, err
	}
	var after Scorecard
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		// Rulings on appeals add revisions too: one writer at a time.
		if err := s.DB.Serialize(ctx, tx, "scorecard:"+itoa(id)); err != nil {
			return err
		}
		before, err := getScorecard(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE scorecards SET version = version + 1 WHERE id = $1 AND version = $2`, id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.StaleVersion(before)
		}
		detail, err := change(tx, before)
		if err != nil {
			return err
		}
		if after, err = getScorecard(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: action, ObjectType: "scorecard", ObjectID: id, Before: before, After: after, Detail: detail})
	})
	return after, err
}

// RevisionNote is one revision of a published scorecard.
type RevisionNote struct {
	Revision  int       `json:"revision"`
	Reason    string    `json:"reason"`    // a correction's reason
	AppealID  *int64    `json:"appeal_id"` // the upheld appeal that made it
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Revisions lists a scorecard's revisions, oldest first.
func (s *Service) Revisions(ctx context.Context, id int64) ([]RevisionNote, error) {
	if err := access.FromContext(ctx).Check(access.ViewScores, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, func(row db.Scanner) (RevisionNote, error) {
		var r RevisionNote
		err := row.Scan(&r.Revision, &r.Reason, &r.AppealID, &r.CreatedBy, &r.CreatedAt)
		r.CreatedAt = r.CreatedAt.UTC()
		return r, err
	}, `SELECT revision, reason, appeal_id, created_by, created_at FROM scorecard_revisions WHERE scorecard_id = $1 ORDER BY revision`, id)
}

// Score is one unit's result on one item.
type Score struct {
	Numerator   int     `json:"numerator"`
	Denominator int     `json:"denominator"`
	Points      float64 `json:"points"`
	Applicable  bool    `json:"applicable"`          // false: no record counted (or no manual points), full points kept
	AppealID    *int64  `json:"appeal_id,omitempty"` // the upheld appeal that set the points
}

// UnitCard is one unit's line of a scorecard.
type UnitCard struct {
	Rank   int            `json:"rank"`
	UnitID int64          `json:"unit_id"`
	Code   string         `json:"code"`
	Name   alliance.Names `json:"name"`
	Total  float64        `json:"total"`
	Scores []Score        `json:"scores"` // in the order of the items
}

// Results are every unit's line, best first: live for a draft, the latest
// revision for a published scorecard.
func (s *Service) Results(ctx context.Context, id int64) (Scorecard, []UnitCard, error) {
	if err := access.FromContext(ctx).Check(access.ViewScores, 0); err != nil {
		return Scorecard{}, nil, err
	}
	c, err := getScorecard(ctx, s.DB.R, id)
	if err != nil {
		return c, nil, err
	}
	cards, err := s.results(ctx, s.DB.R, c)
	return c, cards, err
}

// Standing is a unit's place in a scorecard's ranking.
type Standing struct {
	Rank   int            `json:"rank"`
	UnitID int64          `json:"unit_id"`
	Code   string         `json:"code"`
	Name   alliance.Names `json:"name"`
	Total  float64        `json:"total"`
}

// Current is the scorecard the dashboard shows: the published one whose
// period ended last, with its ranking.
type Current struct {
	Scorecard Scorecard  `json:"scorecard"`
	Ranking   []Standing `json:"ranking"`
}

// Current returns the published scorecard whose period ended last, with
// its ranking; nil while none is published.
func (s *Service) Current(ctx context.Context) (*Current, error) {
	if err := access.FromContext(ctx).Check(access.ViewScores, 0); err != nil {
		return nil, err
	}
	var id int64
	err := s.DB.R.QueryRowContext(ctx, `SELECT id FROM scorecards WHERE status = 'published' ORDER BY ends_on DESC, id DESC LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := getScorecard(ctx, s.DB.R, id)
	if err != nil {
		return nil, err
	}
	r, err := s.Ranking(ctx, id)
	return &Current{c, r}, err
}

// Ranking is the units' standings, best first; equal totals share a rank.
// It is the read the supervision bulletin uses.
func (s *Service) Ranking(ctx context.Context, id int64) ([]Standing, error) {
	_, cards, err := s.Results(ctx, id)
	return StandingsOf(cards), err
}

// StandingsOf is the ranking of a scorecard's results.
func StandingsOf(cards []UnitCard) []Standing {
	out := make([]Standing, len(cards))
	for i, u := range cards {
		out[i] = Standing{Rank: u.Rank, UnitID: u.UnitID, Code: u.Code, Name: u.Name, Total: u.Total}
	}
	return out
}

func (s *Service) results(ctx context.Context, q db.Querier, c Scorecard) ([]UnitCard, error) {
	if c.Status == Draft {
		return s.compute(ctx, q, c)
	}
	cards, err := units(ctx, q, `SELECT DISTINCT u.id, u.code, u.name_zh_hans, u.name_zh_hant, u.name_en FROM units u
		JOIN score_rows r ON r.unit_id = u.id WHERE r.scorecard_id = $1 AND r.revision = $2`, c.ID, c.Revision)
	if err != nil {
		return nil, err
	}
	index := map[int64]*UnitCard{}
	for i := range cards {
		cards[i].Scores = make([]Score, len(c.Items))
		index[cards[i].UnitID] = &cards[i]
	}
	rows, err := q.QueryContext(ctx, `SELECT unit_id, position, numerator, denominator, points, applicable, appeal_id FROM score_rows
		WHERE scorecard_id = $1 AND revision = $2`, c.ID, c.Revision)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var unit int64
		var pos int
		var sc Score
		if err := rows.Scan(&unit, &pos, &sc.Numerator, &sc.Denominator, &sc.Points, &sc.Applicable, &sc.AppealID); err != nil {
			return nil, err
		}
		index[unit].Scores[pos-1] = sc
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rank(cards)
	return cards, nil
}

func units(ctx context.Context, q db.Querier, query string, args ...any) ([]UnitCard, error) {
	return db.All(ctx, q, func(row db.Scanner) (UnitCard, error) {
		var u UnitCard
		return u, row.Scan(&u.UnitID, &u.Code, &u.Name.ZhHans, &u.Name.ZhHant, &u.Name.En)
	}, query, args...)
}

// compute scores every active unit from live data and the manual points.
func (s *Service) compute(ctx context.Context, q db.Querier, c Scorecard) ([]UnitCard, error) {
	cards, err := units(ctx, q, `SELECT id, code, name_zh_hans, name_zh_hant, name_en FROM units WHERE active`)
	if err != nil {
		return nil, err
	}
	tallies, err := countAll(ctx, q, s.DB.Engine, c.Items, c.StartsOn, c.EndsOn, s.today())
	if err != nil {
		return nil, err
	}
	type key struct {
		pos  int
		unit int64
	}
	manual := map[key]float64{}
	rows, err := q.QueryContext(ctx, `SELECT position, unit_id, points FROM score_manual WHERE scorecard_id = $1`, c.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k key
		var p float64
		if err := rows.Scan(&k.pos, &k.unit, &p); err != nil {
			rows.Close()
			return nil, err
		}
		manual[k] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range cards {
		u := &cards[i]
		u.Scores = make([]Score, len(c.Items))
		for j, it := range c.Items {
			sc := &u.Scores[j]
			if it.Kind == Manual {
				p, ok := manual[key{j + 1, u.UnitID}]
				sc.Applicable = ok
				sc.Points = it.Weight
				if ok {
					sc.Points = it.Given(p)
				}
				continue
			}
			m, _ := measureOf(it.Kind, s.DB.Engine)
			t := tallies[j+1][u.UnitID]
			rate, ok := m.rate(t.num, t.den)
			sc.Numerator, sc.Denominator, sc.Applicable, sc.Points = t.num, t.den, ok, it.Points(rate)
		}
	}
	rank(cards)
	return cards, nil
}

// rank totals each card, sorts best first (then by code) and numbers them,
// equal totals sharing a rank (1, 1, 3).
func rank(cards []UnitCard) {
	for i := range cards {
		total := 0.0
		for _, sc := range cards[i].Scores {
			total += sc.Points
		}
		cards[i].Total = round2(total)
	}
	slices.SortStableFunc(cards, func(a, b UnitCard) int {
		switch {
		case a.Total > b.Total:
			return -1
		case a.Total < b.Total:
			return 1
		}
		if a.Code < b.Code {
			return -1
		}
		if a.Code > b.Code {
			return 1
		}
		return 0
	})
	for i := range cards {
		cards[i].Rank = i + 1
		if i > 0 && cards[i].Total == cards[i-1].Total {
			cards[i].Rank = cards[i-1].Rank
		}
	}
}
