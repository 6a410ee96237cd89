package scores

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
)

// AppealStatus is where an appeal is.
type AppealStatus string

const (
	Pending  AppealStatus = "pending"
	Upheld   AppealStatus = "upheld"
	Rejected AppealStatus = "rejected"
)

// Appeal is a unit's appeal (申诉) of one item of a published scorecard.
type Appeal struct {
	ID          int64        `json:"id"`
	ScorecardID int64        `json:"scorecard_id"`
	Revision    int          `json:"revision"` // the revision appealed
	UnitID      int64        `json:"unit_id"`
	Position    int          `json:"position"` // the item, numbered from 1
	Reason      string       `json:"reason"`
	Status      AppealStatus `json:"status"`
	Points      *float64     `json:"points"` // the adjusted points of an upheld appeal
	Ruling      string       `json:"ruling"`
	RuledBy     string       `json:"ruled_by"`
	RuledAt     *time.Time   `json:"ruled_at"`
	CreatedBy   string       `json:"created_by"`
	Version     int          `json:"version"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// AppealInput is what a unit appeals.
type AppealInput struct {
	UnitID   int64  `json:"unit_id"`
	Position int    `json:"position"`
	Reason   string `json:"reason"`
}

// Ruling is the office's answer: uphold with the adjusted points, or reject
// with a reason (the reason is kept for an upheld appeal too).
type Ruling struct {
	Uphold bool     `json:"uphold"`
	Points *float64 `json:"points"`
	Reason string   `json:"reason"`
}

const appealColumns = `id, scorecard_id, revision, unit_id, position, reason, status, points, ruling, ruled_by, ruled_at, created_by, version, created_at, updated_at`

func scanAppeal(row db.Scanner) (Appeal, error) {
	var a Appeal
	err := row.Scan(&a.ID, &a.ScorecardID, &a.Revision, &a.UnitID, &a.Position, &a.Reason, &a.Status, &a.Points, &a.Ruling, &a.RuledBy, &a.RuledAt,
		&a.CreatedBy, &a.Version, &a.CreatedAt, &a.UpdatedAt)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	if a.RuledAt != nil {
		t := a.RuledAt.UTC()
		a.RuledAt = &t
	}
	return a, err
}

func getAppeal(ctx context.Context, q db.Querier, id int64) (Appeal, error) {
	a, err := scanAppeal(q.QueryRowContext(ctx, `SELECT `+appealColumns+` FROM score_appeals WHERE id = $1`, id))
	return a, errs.NotFoundIf(err, "score_appeal")
}

// Appeal returns one appeal.
func (s *Service) Appeal(ctx context.Context, id int64) (Appeal, error) {
	if err := access.FromContext(ctx).Check(access.ViewScores, 0); err != nil {
		return Appeal{}, err
	}
	return getAppeal(ctx, s.DB.R, id)
}

// Appeals lists a scorecard's appeals, oldest first; scorecard 0 lists the
// appeals of every scorecard still waiting for a ruling.
func (s *Service) Appeals(ctx context.Context, scorecard int64) ([]Appeal, error) {
	if err := access.FromContext(ctx).Check(access.ViewScores, 0); err != nil {
		return nil, err
	}
	if scorecard == 0 {
		return db.All(ctx, s.DB.R, scanAppeal, `SELECT `+appealColumns+` FROM score_appeals WHERE status = 'pending' ORDER BY id`)
	}
	return db.All(ctx, s.DB.R, scanAppeal, `SELECT `+appealColumns+` FROM score_appeals WHERE scorecard_id = $1 ORDER BY id`, scorecard)
}

// FileAppeal has a unit appeal one item of a published scorecard within its
// appeal window. A unit has at most one pending appeal per item.
func (s *Service) FileAppeal(ctx context.Context, scorecard int64, in AppealInput) (Appeal, error) {
	actor := access.FromContext(ctx)
	if err := actor.Check(access.AppealScore, in.UnitID); err != nil {
		return Appeal{}, err
	}
	var a Appeal
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		if err := s.DB.Serialize(ctx, tx, "scorecard:"+itoa(scorecard)); err != nil {
			return err
		}
		c, err := getScorecard(ctx, tx, scorecard)
		if err != nil {
			return err
		}
		if c.Status != Published || c.AppealUntil == nil {
			return errs.New(errs.Conflict, "error.score.not_published")
		}
		if s.today().After(*c.AppealUntil) {
			var v errs.Validation
			v.Add("scorecard_id", "error.score.appeal_closed", c.AppealUntil.String())
			return v.Err()
		}
		var v errs.Validation
		if _, ok := item(c, in.Position); !ok {
			v.Add("position", "error.score.item_unknown", in.Position)
		}
		v.Text("reason", in.Reason, true, 4000)
		if err := unitExists(ctx, tx, in.UnitID, &v); err != nil {
			return err
		}
		var pending int
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM score_appeals WHERE scorecard_id = $1 AND unit_id = $2 AND position = $3 AND status = 'pending'`,
			scorecard, in.UnitID, in.Position).Scan(&pending)
		if err != nil {
			return err
		}
		if pending > 0 {
			v.Add("position", "error.score.appeal_pending")
		}
		if err := v.Err(); err != nil {
			return err
		}
		var id int64
		now := s.now()
		err = tx.QueryRowContext(ctx, `INSERT INTO score_appeals (scorecard_id, revision, unit_id, position, reason, created_by, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$7) RETURNING id`, scorecard, c.Revision, in.UnitID, in.Position, in.Reason, actor.LoginOrSystem(), now).Scan(&id)
		if err != nil {
			return err
		}
		if a, err = getAppeal(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "score_appeal.file", ObjectType: "score_appeal", ObjectID: id, After: a})
	})
	return a, err
}

// Rule decides a pending appeal. Upholding it sets the item's points for
// the unit in a new revision of the scorecard, which names the appeal.
func (s *Service) Rule(ctx context.Context, id int64, r Ruling, version int) (Appeal, error) {
	if err := access.FromContext(ctx).Check(access.ManageScores, 0); err != nil {
		return Appeal{}, err
	}
	var after Appeal
	err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
		before, err := getAppeal(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.DB.Serialize(ctx, tx, "scorecard:"+itoa(before.ScorecardID)); err != nil {
			return err
		}
		c, err := getScorecard(ctx, tx, before.ScorecardID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE score_appeals SET version = version + 1 WHERE id = $1 AND version = $2`, id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.StaleVersion(before)
		}
		if before.Status != Pending {
			return errs.New(errs.Conflict, "error.score.appeal_ruled")
		}
		var v errs.Validation
		v.Text("reason", r.Reason, !r.Uphold, 4000)
		it, _ := item(c, before.Position)
		switch {
		case !r.Uphold && r.Points != nil:
			v.Add("points", "error.score.points_on_reject")
		case r.Uphold && r.Points == nil:
			v.Add("points", "error.required")
		case r.Uphold && (*r.Points < 0 || *r.Points > it.Weight):
			v.Add("points", "error.range", 0, it.Weight)
		}
		if err := v.Err(); err != nil {
			return err
		}
		status := Rejected
		if r.Uphold {
			status = Upheld
			if err := s.adjust(ctx, tx, c, before, *r.Points); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE score_appeals SET status = $1, points = $2, ruling = $3, ruled_by = $4, ruled_at = $5, updated_at = $5 WHERE id = $6`,
			status, r.Points, r.Reason, access.FromContext(ctx).LoginOrSystem(), s.now(), id)
		if err != nil {
			return err
		}
		if after, err = getAppeal(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "score_appeal.rule", ObjectType: "score_appeal", ObjectID: id, Before: before, After: after})
	})
	return after, err
}

// adjust copies the scorecard's latest revision as the next one with the
// appealed item's points replaced.
func (s *Service) adjust(ctx context.Context, tx *sql.Tx, c Scorecard, a Appeal, points float64) error {
	rev := c.Revision + 1
	_, err := tx.ExecContext(ctx, `INSERT INTO score_rows (scorecard_id, revision, unit_id, position, numerator, denominator, points, applicable, appeal_id)
		SELECT scorecard_id, $1, unit_id, position, numerator, denominator,
			CASE WHEN unit_id = $2 AND position = $3 THEN $4 ELSE points END,
			CASE WHEN unit_id = $2 AND position = $3 THEN TRUE ELSE applicable END,
			CASE WHEN unit_id = $2 AND position = $3 THEN $5 ELSE appeal_id END
		FROM score_rows WHERE scorecard_id = $6 AND revision = $7`, rev, a.UnitID, a.Position, points, a.ID, c.ID, c.Revision)
	if err != nil {
		return err
	}
	return s.newRevision(ctx, tx, c, rev, "", &a.ID)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Breakdown is one unit's score on one item with the records behind it.
type Breakdown struct {
	Item    Item     `json:"item"`
	Score   Score    `json:"score"`
	Records []Record `json:"records"`
	// Changed says the live records no longer give the frozen numbers of a
	// published scorecard (work done or corrected since publication).
	Changed bool `json:"changed"`
}

// Breakdown opens one unit's item: its score and the records it counted,
// read from live data over the scorecard's period. A draft's score is the
// records' own tally; a published one is the frozen score, and Changed says
// whether the records still give it.
func (s *Service) Breakdown(ctx context.Context, id, unit int64, position int) (Breakdown, error) {
	if err := access.FromContext(ctx).Check(access.ViewScores, 0); err != nil {
		return Breakdown{}, err
	}
	c, err := getScorecard(ctx, s.DB.R, id)
	if err != nil {
		return Breakdown{}, err
	}
	it, ok := item(c, position)
	if !ok {
		return Breakdown{}, errs.New(errs.NotFound, "error.not_found", "score_item")
	}
	b := Breakdown{Item: it}
	today := s.today()
	if c.Status == Published {
		// The records as they stood on the day the counts were frozen.
		if today, err = s.frozenOn(ctx, c); err != nil {
			return b, err
		}
	}
	if b.Records, err = records(ctx, s.DB.R, s.DB.Engine, it.Kind, unit, c.StartsOn, c.EndsOn, today); err != nil {
		return b, err
	}
	var live Score
	for _, r := range b.Records {
		if r.Counted {
			live.Denominator++
		}
		if r.Hit {
			live.Numerator++
		}
	}
	if c.Status == Published {
		b.Score, err = frozenScore(ctx, s.DB.R, c, unit, position)
		b.Changed = it.Kind != Manual && (live.Numerator != b.Score.Numerator || live.Denominator != b.Score.Denominator)
		return b, err
	}
	ok, err = active(ctx, s.DB.R, unit)
	if err != nil {
		return b, err
	}
	if !ok {
		return b, errs.New(errs.NotFound, "error.not_found", "unit")
	}
	if it.Kind == Manual {
		b.Score, err = manualScore(ctx, s.DB.R, c.ID, it, unit, position)
		return b, err
	}
	m, _ := measureOf(it.Kind, s.DB.Engine)
	rate, applicable := m.rate(live.Numerator, live.Denominator)
	live.Points, live.Applicable = it.Points(rate), applicable
	b.Score = live
	return b, nil
}

// frozenScore is a unit's score on an item in the latest revision.
func frozenScore(ctx context.Context, q db.Querier, c Scorecard, unit int64, position int) (Score, error) {
	var sc Score
	err := q.QueryRowContext(ctx, `SELECT numerator, denominator, points, applicable, appeal_id FROM score_rows
		WHERE scorecard_id = $1 AND revision = $2 AND unit_id = $3 AND position = $4`, c.ID, c.Revision, unit, position).
		Scan(&sc.Numerator, &sc.Denominator, &sc.Points, &sc.Applicable, &sc.AppealID)
	return sc, errs.NotFoundIf(err, "unit")
}

// manualScore is a unit's points on a manual item of a draft: full points
// while the office has given none.
func manualScore(ctx context.Context, q db.Querier, scorecard int64, it Item, unit int64, position int) (Score, error) {
	var p float64
	err := q.QueryRowContext(ctx, `SELECT points FROM score_manual WHERE scorecard_id = $1 AND position = $2 AND unit_id = $3`, scorecard, position, unit).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return Score{Points: it.Weight}, nil
	}
	return Score{Points: it.Given(p), Applicable: true}, err
}

// frozenOn is the day the latest revision's counts were taken: the last
// publication or correction (an upheld appeal copies the counts before it).
func (s *Service) frozenOn(ctx context.Context, c Scorecard) (clock.Date, error) {
	var at time.Time
	err := s.DB.R.QueryRowContext(ctx, `SELECT created_at FROM scorecard_revisions WHERE scorecard_id = $1 AND appeal_id IS NULL
		ORDER BY revision DESC LIMIT 1`, c.ID).Scan(&at)
	return clock.DayOf(at), err
}
