package problems

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/jobs"
	"concord/internal/plans"
)

// Job is the daily chase of problems past their handling deadline for the
// jobs runner: once a day across every instance, and once (not once per
// missed day) after downtime.
func (s *Service) Job() jobs.Job {
	return jobs.Job{Name: "problems.daily", Every: 24 * time.Hour, Run: func(ctx context.Context, slot time.Time) error {
		return s.ChaseOverdue(ctx, clock.DayOf(slot))
	}}
}

// ChaseOverdue chases the problems still with their handling unit after
// their deadline, by the rule that escalates a late task
// (plans.ChaseLevel): the handling unit's staff, then its leaders, then
// the coordination office. A problem keeps the highest level chased,
// claimed in the statement that checks it, so a level goes out once even
// when two runners sweep at once; after downtime only the level now
// reached is sent, to everyone the lower levels would have reached. A new
// deadline (Reassign) starts the chase again.
func (s *Service) ChaseOverdue(ctx context.Context, today clock.Date) error {
	if s.Plans == nil {
		return errors.New("problems: the chase needs the plans service for its settings")
	}
	set, err := s.Plans.Settings(ctx)
	if err != nil {
		return err
	}
	late, err := db.All(ctx, s.DB.R, scan, `SELECT `+columns+` FROM problems
		WHERE status = 'assigned' AND due_on < $1 AND chase_level < $2 ORDER BY id`, today, plans.ChaseOffice)
	if err != nil {
		return err
	}
	for _, p := range late {
		level := plans.ChaseLevel(*p.DueOn, today, set)
		if level <= p.ChaseLevel {
			continue
		}
		err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE problems SET chase_level = $1 WHERE id = $2 AND chase_level < $1 AND status = 'assigned' AND due_on = $3`,
				level, p.ID, *p.DueOn)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // not this level yet, or another runner has claimed it
			}
			to, err := plans.ChaseAudience(ctx, tx, *p.HandlingUnitID, level)
			if err != nil {
				return err
			}
			kind := fmt.Sprintf("problem.chase.%d", level)
			if err := s.tell(ctx, tx, to, p, kind, p.DueOn.String()); err != nil {
				return err
			}
			return s.step(ctx, tx, p, kind, p.DueOn.String())
		})
		if err != nil {
			return err
		}
	}
	return nil
}
