package plans

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
)

// Job is the daily supervision sweep for the jobs runner: once a day across
// every instance, and once (not once per missed day) after downtime.
func (s *Service) Job() jobs.Job {
	return jobs.Job{Name: "plans.daily", Every: 24 * time.Hour, Run: func(ctx context.Context, slot time.Time) error {
		return s.Daily(ctx, clock.DayOf(slot))
	}}
}

// Daily does what the turn of a day asks of the supervision cycle, as of
// today: open the reporting periods that have begun, give every live task
// its light for the day, remind before deadlines and chase what is late.
// Each step is idempotent, so a repeated or resumed run changes nothing
// twice.
func (s *Service) Daily(ctx context.Context, today clock.Date) error {
	set, err := loadSettings(ctx, s.DB.R)
	if err != nil {
		return err
	}
	for _, step := range []func(context.Context, clock.Date, Settings) error{s.openDuePeriods, s.refreshLights, s.remind, s.chaseLate} {
		if err := step(ctx, today, set); err != nil {
			return err
		}
	}
	return nil
}

// openDuePeriods opens report rows for tasks one of whose units has no row
// for a period that has begun.
func (s *Service) openDuePeriods(ctx context.Context, today clock.Date, set Settings) error {
	ids, err := db.All(ctx, s.DB.R, func(row db.Scanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `SELECT DISTINCT a.task_id FROM assignments a JOIN tasks t ON t.id = a.task_id
		WHERE a.active AND t.status = 'active' AND t.starts_on <= $1
		AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.assignment_id = a.id AND (r.period_end >= $1 OR r.period_end = t.due_on))`, today)
	if err != nil {
		return err
	}
	for _, id := range ids {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			t, err := getTask(ctx, tx, id)
			if err != nil {
				return err
			}
			return s.openPeriods(ctx, tx, t, today, set)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// refreshLights gives every live task its light as of today, writing only
// the ones that change, a batch per transaction.
func (s *Service) refreshLights(ctx context.Context, today clock.Date, set Settings) error {
	type change struct {
		id    int64
		light Light
	}
	var changes []change
	err := eachRow(ctx, s.DB.R, func(row db.Scanner) error {
		var id int64
		var f lightFacts
		var light Light
		if err := row.Scan(&id, &f.Status, &f.StartsOn, &f.DueOn, &f.CompletedOn, &f.Progress, &light); err != nil {
			return err
		}
		if v := judge(f, today, set); v.Light != light {
			changes = append(changes, change{id, v.Light})
		}
		return nil
	}, `SELECT id, status, starts_on, due_on, completed_on, progress, light FROM tasks WHERE status IN ('active','completion_filed')`)
	if err != nil {
		return err
	}
	for len(changes) > 0 {
		n := min(500, len(changes))
		err := s.tx(ctx, func(tx *sql.Tx) error {
			for _, c := range changes[:n] {
				if _, err := tx.ExecContext(ctx, `UPDATE tasks SET light = $1, light_on = $2 WHERE id = $3`, c.light, today, c.id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		changes = changes[n:]
	}
	return nil
}

// remind tells the responsible people of deadlines within RemindDays: an
// assignment's deadline, a milestone, a report's due date. The dedupe key
// names the deadline, so each reminder goes out once, and again only if the
// deadline moves.
func (s *Service) remind(ctx context.Context, today clock.Date, set Settings) error {
	until := today.AddDays(set.RemindDays)
	type due struct {
		assignment int64
		kind, key  string
		objType    string
		objID      int64
		link, code string
		title, on  string
	}
	var dues []due
	scan := func(kind, key, objType, link string) func(db.Scanner) error {
		return func(row db.Scanner) error {
			var d due
			var on clock.Date
			var task int64
			if err := row.Scan(&d.assignment, &d.objID, &task, &d.code, &d.title, &on); err != nil {
				return err
			}
			d.kind, d.key, d.objType, d.on = kind, key, objType, on.String()
			d.link = fmt.Sprintf(link, d.objID)
			if objType == "milestone" {
				d.link = fmt.Sprintf(link, task)
			}
			dues = append(dues, d)
			return nil
		}
	}
	live := ` AND t.status = 'active' AND a.active`
	if err := eachRow(ctx, s.DB.R, scan("task.reminder", "notice.remind.task", "task", "/tasks/%d"),
		`SELECT a.id, t.id, t.id, t.code, t.title, a.due_on FROM assignments a JOIN tasks t ON t.id = a.task_id
		WHERE a.due_on >= $1 AND a.due_on <= $2`+live, today, until); err != nil {
		return err
	}
	if err := eachRow(ctx, s.DB.R, scan("milestone.reminder", "notice.remind.milestone", "milestone", "/tasks/%d"),
		`SELECT a.id, m.id, t.id, t.code, m.title, m.due_on FROM milestones m JOIN tasks t ON t.id = m.task_id
		JOIN assignments a ON a.task_id = t.id AND a.role = 'lead'
		WHERE m.done_on IS NULL AND m.due_on >= $1 AND m.due_on <= $2`+live, today, until); err != nil {
		return err
	}
	if err := eachRow(ctx, s.DB.R, scan("report.reminder", "notice.remind.report", "report", "/reports/%d"),
		`SELECT a.id, r.id, t.id, t.code, t.title, r.due_on FROM reports r JOIN tasks t ON t.id = r.task_id JOIN assignments a ON a.id = r.assignment_id
		WHERE r.state IN ('pending','draft','returned') AND r.live = TRUE AND r.due_on >= $1 AND r.due_on <= $2`+live, today, until); err != nil {
		return err
	}
	for _, d := range dues {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			a, err := getAssignment(ctx, tx, d.assignment)
			if err != nil {
				return err
			}
			var to audience
			if err := to.responsible(ctx, tx, a); err != nil {
				return err
			}
			dedupe := fmt.Sprintf("%s:%s:%d:%d:%s", d.kind, d.objType, d.objID, a.ID, d.on)
			return s.tell(ctx, tx, to, d.kind, d.key, d.link, d.objType, d.objID, dedupe, d.code, d.title, d.on)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ChaseLevel is the level a chase has reached days after a deadline: the
// responsible people from the first day late, the unit leader
// ChaseLeaderDays later, the office ChaseOfficeDays later. Late
// rectification items and problems escalate by the same rule.
func ChaseLevel(due, today clock.Date, set Settings) int {
	late := due.DaysUntil(today)
	switch {
	case late >= 1+set.ChaseOfficeDays:
		return ChaseOffice
	case late >= 1+set.ChaseLeaderDays:
		return ChaseLeader
	case late >= 1:
		return ChaseResponsible
	}
	return 0
}

// ChaseAudience is who a chase of unit's overdue item reaches at level:
// the unit's staff, then its leaders too, then the coordination office
// too. Rectification items and problems are chased so.
func ChaseAudience(ctx context.Context, q db.Querier, unit int64, level int) (notify.Audience, error) {
	to := notify.Audience{}
	if err := to.UnitStaff(ctx, q, unit); err != nil {
		return nil, err
	}
	if level >= ChaseLeader {
		if err := to.Role(ctx, q, access.UnitLeader, unit); err != nil {
			return nil, err
		}
	}
	if level >= ChaseOffice {
		if err := to.Role(ctx, q, access.Coordinator, 0); err != nil {
			return nil, err
		}
	}
	return to, nil
}

// chaseLate chases reports not submitted by their due date and units whose
// share of a task is past its deadline, escalating by level. A level is
// sent once: a report keeps the highest level chased, an assignment's is
// the highest of its automatic chases. After downtime only the level now
// reached is sent; it reaches everyone the lower levels would have.
func (s *Service) chaseLate(ctx context.Context, today clock.Date, set Settings) error {
	type late struct {
		report     *int64
		assignment int64
		due        clock.Date
		level      int
	}
	var lates []late
	err := eachRow(ctx, s.DB.R, func(row db.Scanner) error {
		var l late
		var id int64
		if err := row.Scan(&id, &l.assignment, &l.due, &l.level); err != nil {
			return err
		}
		l.report = &id
		lates = append(lates, l)
		return nil
	}, `SELECT r.id, r.assignment_id, r.due_on, r.chase_level FROM reports r JOIN tasks t ON t.id = r.task_id JOIN assignments a ON a.id = r.assignment_id
		WHERE r.state IN ('pending','draft') AND r.live = TRUE AND r.due_on < $1 AND r.chase_level < 3 AND t.status = 'active' AND a.active`, today)
	if err != nil {
		return err
	}
	err = eachRow(ctx, s.DB.R, func(row db.Scanner) error {
		var l late
		if err := row.Scan(&l.assignment, &l.due, &l.level); err != nil {
			return err
		}
		lates = append(lates, l)
		return nil
	}, `SELECT a.id, a.due_on, COALESCE((SELECT MAX(c.level) FROM chases c WHERE c.assignment_id = a.id AND c.report_id IS NULL AND c.sent_by = ''), 0)
		FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE a.active AND t.status = 'active' AND a.due_on < $1`, today)
	if err != nil {
		return err
	}
	for _, l := range lates {
		level := ChaseLevel(l.due, today, set)
		if level <= l.level {
			continue
		}
		err := s.tx(ctx, func(tx *sql.Tx) error {
			a, err := getAssignment(ctx, tx, l.assignment)
			if err != nil {
				return err
			}
			t, err := getTask(ctx, tx, a.TaskID)
			if err != nil {
				return err
			}
			var r *Report
			if l.report != nil {
				// Claim the level: a second sweep racing this one updates nothing.
				res, err := tx.ExecContext(ctx, `UPDATE reports SET chase_level = $1 WHERE id = $2 AND chase_level < $1 AND state IN ('pending','draft')`, level, *l.report)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					return nil
				}
				rep, err := getReport(ctx, tx, *l.report)
				if err != nil {
					return err
				}
				r = &rep
			} else {
				if err := s.DB.Serialize(ctx, tx, "chase:"+itoa(int(a.ID))); err != nil {
					return err
				}
				var sent int
				if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(level), 0) FROM chases WHERE assignment_id = $1 AND report_id IS NULL AND sent_by = ''`, a.ID).Scan(&sent); err != nil || sent >= level {
					return err
				}
			}
			_, err = s.chase(ctx, tx, t, a, r, level, "", "")
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
