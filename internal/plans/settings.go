package plans

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
)

// Settings are the alliance's rules of supervision, tunable by the office.
type Settings struct {
	// LeadWeight is the lead unit's share of a task's progress when it has
	// co-operating units; they share the rest equally.
	LeadWeight float64 `json:"lead_weight"`
	// BehindPoints: a task whose progress trails the time-elapsed
	// expectation by more than this many points is at risk.
	BehindPoints float64 `json:"behind_points"`
	// A task due within DueSoonDays and below DueSoonPercent is at risk.
	DueSoonDays    int     `json:"due_soon_days"`
	DueSoonPercent float64 `json:"due_soon_percent"`
	// RemindDays: reminders go out this many days before a deadline.
	RemindDays int `json:"remind_days"`
	// ReportGraceDays: a period's report is due this many days after it ends.
	ReportGraceDays int `json:"report_grace_days"`
	// A missing report is chased with the responsible person the day after
	// it was due, with the unit leader ChaseLeaderDays after, and with the
	// coordination office ChaseOfficeDays after.
	ChaseLeaderDays int `json:"chase_leader_days"`
	ChaseOfficeDays int `json:"chase_office_days"`
	// LeaderApproval: reports need the unit leader's sign-off before the
	// office reviews them.
	LeaderApproval bool      `json:"leader_approval"`
	Version        int       `json:"version"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// DefaultSettings are the rules as shipped (migration 00002 stores them).
var DefaultSettings = Settings{
	LeadWeight: 0.6, BehindPoints: 20, DueSoonDays: 7, DueSoonPercent: 80,
	RemindDays: 3, ReportGraceDays: 5, ChaseLeaderDays: 3, ChaseOfficeDays: 7,
}

const settingsColumns = `lead_weight, behind_points, due_soon_days, due_soon_percent, remind_days, report_grace_days, chase_leader_days, chase_office_days, leader_approval, version, updated_at`

func loadSettings(ctx context.Context, q db.Querier) (Settings, error) {
	var s Settings
	err := q.QueryRowContext(ctx, `SELECT `+settingsColumns+` FROM supervision_settings WHERE id = 1`).Scan(
		&s.LeadWeight, &s.BehindPoints, &s.DueSoonDays, &s.DueSoonPercent, &s.RemindDays, &s.ReportGraceDays,
		&s.ChaseLeaderDays, &s.ChaseOfficeDays, &s.LeaderApproval, &s.Version, &s.UpdatedAt)
	s.UpdatedAt = s.UpdatedAt.UTC()
	return s, err
}

// Settings returns the rules in force.
func (s *Service) Settings(ctx context.Context) (Settings, error) { return loadSettings(ctx, s.DB.R) }

func (in Settings) validate() error {
	var v errs.Validation
	between := func(field string, x, lo, hi float64) {
		if x < lo || x > hi {
			v.Add(field, "error.range", formatFloat(lo), formatFloat(hi))
		}
	}
	between("lead_weight", in.LeadWeight, 0, 1)
	between("behind_points", in.BehindPoints, 0, 100)
	between("due_soon_days", float64(in.DueSoonDays), 0, 365)
	between("due_soon_percent", in.DueSoonPercent, 0, 100)
	between("remind_days", float64(in.RemindDays), 0, 60)
	between("report_grace_days", float64(in.ReportGraceDays), 0, 60)
	between("chase_leader_days", float64(in.ChaseLeaderDays), 1, 60)
	between("chase_office_days", float64(in.ChaseOfficeDays), 1, 120)
	if in.ChaseOfficeDays <= in.ChaseLeaderDays {
		v.Add("chase_office_days", "error.plan.chase_order")
	}
	return v.Err()
}

// UpdateSettings replaces the rules if version is current. Lights follow
// at the next change of each task and the daily sweep.
func (s *Service) UpdateSettings(ctx context.Context, in Settings, version int) (Settings, error) {
	if err := access.FromContext(ctx).Check(access.EditPlans, 0); err != nil {
		return Settings{}, err
	}
	if err := in.validate(); err != nil {
		return Settings{}, err
	}
	var after Settings
	err := s.tx(ctx, func(tx *sql.Tx) error {
		before, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE supervision_settings SET lead_weight=$1, behind_points=$2, due_soon_days=$3, due_soon_percent=$4, remind_days=$5,
			report_grace_days=$6, chase_leader_days=$7, chase_office_days=$8, leader_approval=$9, updated_at=$10, version=version+1 WHERE id=1 AND version=$11`,
			in.LeadWeight, in.BehindPoints, in.DueSoonDays, in.DueSoonPercent, in.RemindDays, in.ReportGraceDays, in.ChaseLeaderDays, in.ChaseOfficeDays,
			in.LeaderApproval, s.now(), version)
		if err != nil {
			return err
		}
		if err := staleIfNone(res, func() (any, error) { return loadSettings(ctx, tx) }); err != nil {
			return err
		}
		if after, err = loadSettings(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "settings.update", ObjectType: "settings", ObjectID: 1, Before: before, After: after})
	})
	return after, err
}

func itoa(n int) string { return strconv.Itoa(n) }

// formatFloat writes f without trailing zeros: 20, 0.6, 12.5.
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
