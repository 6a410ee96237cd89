package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/jobs"
	"concord/internal/notify"
	"concord/internal/plans"
)

// Job is the daily chase of overdue rectification items for the jobs
// runner: once a day across every instance.
func (s *Service) Job() jobs.Job {
	return jobs.Job{Name: "inspect.daily", Every: 24 * time.Hour, Run: func(ctx context.Context, slot time.Time) error {
		return s.ChaseOverdue(ctx, clock.DayOf(slot))
	}}
}

// chaseLevel is the level reached days after a deadline, by the same rules
// as a late task: the unit's staff from the first day late, its leaders
// ChaseLeaderDays later, the coordination office ChaseOfficeDays later.
func chaseLevel(due, today clock.Date, set plans.Settings) int {
	late := due.DaysUntil(today)
	switch {
	case late >= 1+set.ChaseOfficeDays:
		return plans.ChaseOffice
	case late >= 1+set.ChaseLeaderDays:
		return plans.ChaseLeader
	case late >= 1:
		return plans.ChaseResponsible
	}
	return 0
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
		level := chaseLevel(r.DueOn, today, set)
		if level <= r.ChaseLevel {
			continue
		}
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE rectifications SET chase_level = $1 WHERE id = $2 AND chase_level < $1 AND status IN ('open','returned')`, level, r.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			to := notify.Audience{}
			if err := to.UnitStaff(ctx, tx, r.UnitID); err != nil {
				return err
			}
			if level >= plans.ChaseLeader {
				if err := to.Role(ctx, tx, access.UnitLeader, r.UnitID); err != nil {
					return err
				}
			}
			if level >= plans.ChaseOffice {
				if err := to.Role(ctx, tx, access.Coordinator, 0); err != nil {
					return err
				}
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
