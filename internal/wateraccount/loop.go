// Package wateraccount closes the water accountability loop: a station off
// its target class in a month opens one rectification item for the unit
// answerable for it, the item gathers the months it stays off target, and
// the loop closes on the record when the station complies again. It also
// makes the monthly water brief for the environmental joint meeting.
//
// It reads assessments through internal/waterstore (month sums, never the
// readings) and keeps rectification items through internal/inspect;
// neither imports it.
package wateraccount

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/inspect"
	"concord/internal/jobs"
	"concord/internal/water"
	"concord/internal/waterstore"
)

// Service runs the loop and makes the brief.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Water   *waterstore.Service
	Inspect *inspect.Service
	// DueDays is an item's deadline after it opens; 0 means DefaultDueDays.
	DueDays int
	// GraceDays lets late monitoring files of a month arrive before the
	// job evaluates it: the month is evaluated from this day of the next
	// month on; 0 means DefaultGraceDays. The command evaluates at once.
	GraceDays int
}

const (
	DefaultDueDays   = 60
	DefaultGraceDays = 5
)

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

// MonthResult is what evaluating a month did.
type MonthResult struct {
	Month string `json:"month"`
	// Already: the month had been evaluated (by another runner, or
	// before); nothing changed.
	Already  bool    `json:"already"`
	Opened   []int64 `json:"opened"`   // items opened
	Extended []int64 `json:"extended"` // open items that gained the month
	Regained []int64 `json:"regained"` // loops closed: compliance regained
	Ended    []int64 `json:"ended"`    // loops of items closed while still off target
	// Unowned are the stations off target that name no active unit to
	// answer for them: no item is opened.
	Unowned []string `json:"unowned"`
}

// readCtx lets the loop read assessments when no user runs it (the job):
// a read-only viewer that is no account. Every change it makes is still
// recorded as the actor of ctx, "system" for the job.
func readCtx(ctx context.Context) context.Context {
	if a := access.FromContext(ctx); a != nil && a.UserID != 0 {
		return ctx
	}
	return access.WithActor(ctx, &access.Actor{UserID: -1, Login: "system", Roles: []access.Role{access.Viewer}})
}

// Run evaluates month (yyyymm) for a user who manages water (the command).
func (s *Service) Run(ctx context.Context, month int) (MonthResult, error) {
	if err := access.FromContext(ctx).Check(access.ManageWater, 0); err != nil {
		return MonthResult{}, err
	}
	if s.Water.MonthOf(s.now()) <= month {
		return MonthResult{}, errs.New(errs.Invalid, "error.water.loop_month_open", waterstore.MonthString(month))
	}
	return s.evaluate(ctx, month)
}

// Job is the loop for the jobs runner: it looks daily and evaluates each
// month once, after its grace days, exactly once across instances (the
// month's claim), catching up every month missed during downtime.
func (s *Service) Job() jobs.Job {
	return jobs.Job{Name: "wateraccount.monthly", Every: 24 * time.Hour, Run: func(ctx context.Context, slot time.Time) error {
		_, err := s.CatchUp(ctx, slot)
		return err
	}}
}

// CatchUp evaluates, in order, every month not yet evaluated that is due
// at now: from the month after the last evaluated (the last complete month
// when none was) to the last month whose grace days have passed.
func (s *Service) CatchUp(ctx context.Context, now time.Time) ([]MonthResult, error) {
	grace := s.GraceDays
	if grace <= 0 {
		grace = DefaultGraceDays
	}
	due := s.Water.MonthOf(now.AddDate(0, 0, -grace+1))
	due = waterstore.AddMonths(due, -1)
	last, err := lastEvaluated(ctx, s.DB.R)
	if err != nil {
		return nil, err
	}
	from := waterstore.AddMonths(last, 1)
	if last == 0 {
		from = due
	}
	var out []MonthResult
	for m := from; m <= due; m = waterstore.AddMonths(m, 1) {
		r, err := s.evaluate(ctx, m)
		if err != nil {
			return out, fmt.Errorf("water loop %s: %w", waterstore.MonthString(m), err)
		}
		out = append(out, r)
	}
	return out, nil
}

func lastEvaluated(ctx context.Context, q db.Querier) (int, error) {
	var last sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT max(month) FROM water_loop_months`).Scan(&last)
	return int(last.Int64), err
}

// Evaluated lists the months evaluated, latest first.
func (s *Service) Evaluated(ctx context.Context) ([]EvaluatedMonth, error) {
	if err := access.FromContext(ctx).Check(access.ViewWater, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, func(row db.Scanner) (EvaluatedMonth, error) {
		var e EvaluatedMonth
		var m int
		err := row.Scan(&m, &e.Opened, &e.Extended, &e.Regained, &e.RunBy, &e.RunAt)
		e.Month, e.RunAt = waterstore.MonthString(m), e.RunAt.UTC()
		return e, err
	}, `SELECT month, opened, extended, regained, run_by, run_at FROM water_loop_months ORDER BY month DESC`)
}

// EvaluatedMonth is a month the loop has evaluated.
type EvaluatedMonth struct {
	Month    string    `json:"month"`
	Opened   int       `json:"opened"`
	Extended int       `json:"extended"`
	Regained int       `json:"regained"`
	RunBy    string    `json:"run_by"`
	RunAt    time.Time `json:"run_at"`
}

// evaluate claims month and applies it to every station with a target and
// a class that month, in one transaction: all of it or nothing.
func (s *Service) evaluate(ctx context.Context, month int) (MonthResult, error) {
	res := MonthResult{Month: waterstore.MonthString(month), Opened: []int64{}, Extended: []int64{}, Regained: []int64{}, Ended: []int64{}, Unowned: []string{}}
	rc := readCtx(ctx)
	assessed, err := s.Water.Assess(rc, waterstore.Period{From: month, To: month})
	if err != nil {
		return res, err
	}
	by, now := access.FromContext(ctx).LoginOrSystem(), s.now()
	due := s.DueDays
	if due <= 0 {
		due = DefaultDueDays
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		last, err := lastEvaluated(ctx, tx)
		if err != nil {
			return err
		}
		if month < last {
			return errs.New(errs.Conflict, "error.water.loop_order", res.Month, waterstore.MonthString(last))
		}
		claim, err := tx.ExecContext(ctx, `INSERT INTO water_loop_months (month, opened, extended, regained, run_by, run_at)
			VALUES ($1, 0, 0, 0, $2, $3) ON CONFLICT DO NOTHING`, month, by, now)
		if err != nil {
			return err
		}
		if n, err := claim.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			res.Already = true
			return nil
		}
		for _, a := range assessed {
			if err := s.apply(ctx, tx, a, res.Month, clock.DayOf(now).AddDays(due), &res); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE water_loop_months SET opened = $1, extended = $2, regained = $3 WHERE month = $4`,
			len(res.Opened), len(res.Extended), len(res.Regained), month); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "water.loop.run", ObjectType: "water_loop_month", ObjectID: int64(month), After: res})
	})
	return res, err
}

// apply is one station's month.
func (s *Service) apply(ctx context.Context, tx *sql.Tx, a waterstore.StationAssessment, month string, dueOn clock.Date, res *MonthResult) error {
	st := a.Station
	if st.Target == water.NoClass || a.Class == water.NoClass {
		return nil // nothing to hold the station to
	}
	item, open, err := s.Inspect.WaterLoop(ctx, tx, st.ID)
	if err != nil {
		return err
	}
	const lang = "zh-Hans" // the record's language: Chinese first
	std := a.Standard()
	if open && item.Status == inspect.Closed && !a.Compliant {
		// Verified and closed while still off target: this month starts
		// a new item.
		if _, err := s.Inspect.EndWater(ctx, tx, item.ID, i18n.T(lang, "wateraccount.ended", month)); err != nil {
			return err
		}
		res.Ended = append(res.Ended, item.ID)
		open = false
	}
	switch {
	case a.Compliant && open:
		note := i18n.T(lang, "wateraccount.regained", st.NameZh, month, std.ClassName(a.Class), std.ClassName(st.Target))
		if _, err := s.Inspect.RegainWater(ctx, tx, item.ID, month, note, fmt.Sprintf("monitoring-%s-%s.csv", st.Code, month), record(a, month, lang)); err != nil {
			return err
		}
		res.Regained = append(res.Regained, item.ID)
	case !a.Compliant && open:
		if _, err := s.Inspect.AddWaterMonth(ctx, tx, item.ID, month, i18n.T(lang, "wateraccount.extended", month)+"："+offTarget(a, month, lang)); err != nil {
			return err
		}
		res.Extended = append(res.Extended, item.ID)
	case !a.Compliant:
		unit := st.Responsible()
		if unit == nil {
			res.Unowned = append(res.Unowned, st.Code)
			return nil
		}
		r, err := s.Inspect.OpenWater(ctx, tx, inspect.RectInput{UnitID: *unit, Requirement: offTarget(a, month, lang), DueOn: dueOn}, st.ID, month)
		if errs.Is(err, errs.Invalid) {
			// The unit was deactivated: refused before anything was
			// written, so the month carries on without this item.
			res.Unowned = append(res.Unowned, st.Code)
			return nil
		} else if err != nil {
			return err
		}
		res.Opened = append(res.Opened, r.ID)
	}
	return nil
}

// offTarget is what an item asks: the station, month, class against
// target and the items exceeding.
func offTarget(a waterstore.StationAssessment, month, lang string) string {
	std := a.Standard()
	return i18n.T(lang, "wateraccount.requirement", a.Station.NameZh, a.Station.Code, month, std.ClassName(a.Class), std.ClassName(a.Station.Target),
		exceedingLabels(a, lang))
}

func exceedingLabels(a waterstore.StationAssessment, lang string) string {
	var labels []string
	for _, e := range a.Exceeding(lang) {
		labels = append(labels, e.Label(a.Standard()))
	}
	return strings.Join(labels, "、")
}

// record is the monitoring record attached as evidence when a station
// complies again: its month's assessment, item by item.
func record(a waterstore.StationAssessment, month, lang string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	std := a.Standard()
	w.Write([]string{"station", "section", "month", "class", "target", "compliant", "explanation"})
	w.Write([]string{a.Station.Code, a.Station.NameZh, month, std.ClassName(a.Class), std.ClassName(a.Station.Target), fmt.Sprint(a.Compliant), a.Explain(lang)})
	w.Write([]string{"item", "mean", "unit", "class"})
	for _, ic := range a.Items {
		l := std.Limit(ic.Item)
		w.Write([]string{l.Name(lang), water.Num(ic.Value), l.Unit, std.ClassName(ic.Class)})
	}
	w.Flush()
	return b.Bytes()
}
