package plans

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"concord/internal/access"
	"concord/internal/db"
	"concord/internal/notify"
)

// Who hears about what:
//   - a submitted report: the unit's leaders when they must approve it,
//     otherwise the office; the office also hears when a unit asks for help;
//   - an approved report: the office;
//   - a returned or accepted report: whoever submitted it and the
//     assignment's responsible person;
//   - a completion report filed: the office; a task closed or reopened:
//     the lead unit's responsible person and leaders;
//   - a chase: level 1 the responsible person, level 2 also the unit's
//     leaders, level 3 also the office.

// audience is the users to tell.
type audience struct {
	users map[int64]bool
}

func (a *audience) add(ids ...int64) {
	if a.users == nil {
		a.users = map[int64]bool{}
	}
	for _, id := range ids {
		a.users[id] = true
	}
}

// withRole adds the active users holding role, in unit (0: any unit).
func (a *audience) withRole(ctx context.Context, q db.Querier, role access.Role, unit int64) error {
	query := `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = $1 AND NOT u.disabled`
	args := []any{role}
	if unit != 0 {
		query += ` AND u.unit_id = $2`
		args = append(args, unit)
	}
	return eachRow(ctx, q, func(row db.Scanner) error {
		var id int64
		err := row.Scan(&id)
		a.add(id)
		return err
	}, query, args...)
}

// responsible adds an assignment's responsible person, or when none is set
// the unit's reporters (its leaders if it has no reporter).
func (a *audience) responsible(ctx context.Context, q db.Querier, as Assignment) error {
	if as.ResponsibleUserID != nil {
		a.add(*as.ResponsibleUserID)
		return nil
	}
	var b audience
	if err := b.withRole(ctx, q, access.Reporter, as.UnitID); err != nil {
		return err
	}
	if len(b.users) == 0 {
		if err := b.withRole(ctx, q, access.UnitLeader, as.UnitID); err != nil {
			return err
		}
	}
	for id := range b.users {
		a.add(id)
	}
	return nil
}

// login adds the active user with login, if there is one.
func (a *audience) login(ctx context.Context, q db.Querier, login string) error {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM users WHERE login = $1 AND NOT disabled`, login).Scan(&id)
	if err == sql.ErrNoRows {
		return nil
	}
	a.add(id)
	return err
}

// tell notifies everyone in the audience, once per user and dedupe key.
func (s *Service) tell(ctx context.Context, tx *sql.Tx, to audience, kind, key, link, objType string, objID int64, dedupe string, args ...string) error {
	for id := range to.users {
		_, err := notify.Notify(ctx, tx, s.now(), notify.Message{UserID: id, Kind: kind, SubjectKey: key, Args: args, Link: link,
			ObjectType: objType, ObjectID: strconv.FormatInt(objID, 10), Dedupe: dedupe})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) afterReport(ctx context.Context, tx *sql.Tx, r Report, step reportStep) error {
	t, err := getTask(ctx, tx, r.TaskID)
	if err != nil {
		return err
	}
	as, err := getAssignment(ctx, tx, r.AssignmentID)
	if err != nil {
		return err
	}
	link := fmt.Sprintf("/reports/%d", r.ID)
	dedupe := fmt.Sprintf("%s:%d:%d", step.event, r.ID, r.Version)
	var to audience
	switch step.event {
	case stepSubmit.event:
		set, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if set.LeaderApproval {
			err = to.withRole(ctx, tx, access.UnitLeader, r.UnitID)
		} else {
			err = to.withRole(ctx, tx, access.Coordinator, 0)
		}
		if err != nil {
			return err
		}
		if r.HelpNeeded != "" {
			var office audience
			if err := office.withRole(ctx, tx, access.Coordinator, 0); err != nil {
				return err
			}
			if err := s.tell(ctx, tx, office, "report.help", "notice.report.help", link, "report", r.ID, "help:"+dedupe, t.Code, t.Title, r.HelpNeeded); err != nil {
				return err
			}
		}
	case stepApprove.event:
		err = to.withRole(ctx, tx, access.Coordinator, 0)
	case stepReturn.event, stepAccept.event:
		if err = to.login(ctx, tx, r.SubmittedBy); err == nil {
			err = to.responsible(ctx, tx, as)
		}
	default:
		return nil
	}
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, to, step.event, "notice."+step.event, link, "report", r.ID, dedupe, t.Code, t.Title, r.PeriodEnd.String(), r.ReturnReason)
}

func (s *Service) afterTask(ctx context.Context, tx *sql.Tx, t Task, step taskStep) error {
	var to audience
	switch step.event {
	case stepFile.event:
		if err := to.withRole(ctx, tx, access.Coordinator, 0); err != nil {
			return err
		}
	case stepClose.event, stepReopen.event:
		as, err := assignments(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		for _, a := range as {
			if a.Role == Lead && a.Active {
				if err := to.responsible(ctx, tx, a); err != nil {
					return err
				}
			}
		}
		if err := to.withRole(ctx, tx, access.UnitLeader, t.LeadUnitID); err != nil {
			return err
		}
	default:
		return nil
	}
	return s.tell(ctx, tx, to, step.event, "notice."+step.event, fmt.Sprintf("/tasks/%d", t.ID), "task", t.ID,
		fmt.Sprintf("%s:%d:%d", step.event, t.ID, t.Version), t.Code, t.Title, t.StatusReason)
}

func (s *Service) tellChase(ctx context.Context, tx *sql.Tx, t Task, a Assignment, r *Report, c Chase) error {
	var to audience
	if err := to.responsible(ctx, tx, a); err != nil {
		return err
	}
	if c.Level >= ChaseLeader {
		if err := to.withRole(ctx, tx, access.UnitLeader, a.UnitID); err != nil {
			return err
		}
	}
	if c.Level >= ChaseOffice {
		if err := to.withRole(ctx, tx, access.Coordinator, 0); err != nil {
			return err
		}
	}
	link, what := fmt.Sprintf("/tasks/%d", t.ID), t.DueOn.String()
	if r != nil {
		link, what = fmt.Sprintf("/reports/%d", r.ID), r.DueOn.String()
	}
	return s.tell(ctx, tx, to, "task.chase", "notice.chase."+strconv.Itoa(c.Level), link, "chase", c.ID,
		fmt.Sprintf("chase:%d", c.ID), t.Code, t.Title, what, c.Note)
}
