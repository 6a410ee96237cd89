package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/jobs"
	"concord/internal/plans"
)

// Job is the daily chase of overdue rectification items for the jobs
// runner: once a day across every instance.
func (s *Service) Job() jobs.Job {
	return jobs.Job{Name: "inspect.daily", Every: 24 * time.Hour, Run: func(ctx context.Context, slot time.Time) error {
		return s.ChaseOverdue(ctx, clock.DayOf(slot))
	}}
}

// ChaseOverdue chases the items still waiting for their unit's response
// after their deadline. An item keeps the highest level chased, claimed in
// the same statement that checks it, so a level is sent once even when two
// runners sweep at the same time; after downtime only the level now reached
// is sent, to everyone the lower levels would have reached.
func (s *Service) ChaseOverdue(ctx context.Context, today clock.Date) error {
	set, err := s.Plans.Settings(ctx)
	if err != nil {
		return err
	}
	late, err := db.All(ctx, s.DB.R, scanRect, `SELECT `+rectColumns+` FROM rectifications
		WHERE status IN ('open','returned') AND due_on < $1 AND chase_level < 3 ORDER BY id`, today)
	if err != nil {
		return err
	}
	for _, r := range late {
		level := plans.ChaseLevel(r.DueOn, today, set)
		if level <= r.ChaseLevel {
			continue
		}
		err := s.writes.Tx(ctx, s.DB, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE rectifications SET chase_level = $1 WHERE id = $2 AND chase_level < $1 AND status IN ('open','returned')`, level, r.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			to, err := plans.ChaseAudience(ctx, tx, r.UnitID, level)
			if err != nil {
				return err
			}
			kind := fmt.Sprintf("rectification.chase.%d", level)
			if err := s.tell(ctx, tx, to, r, kind, fmt.Sprintf("%s:%d", kind, r.ID)); err != nil {
				return err
			}
			return s.step(ctx, tx, r, kind, "")
		})
		if err != nil {
			return err
		}
	}
	return nil
}
