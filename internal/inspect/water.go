package inspect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"concord/internal/access"
	"concord/internal/db"
	"concord/internal/evidence"
	"concord/internal/notify"
)

// SourceWater is the source kind of items the water accountability loop
// (internal/wateraccount) opens: a station off its target class. They need
// no inspection round: the monitoring data is their finding. The reference
// is "station:ID"; the station and months are in Rectification.Water.
const SourceWater = "water"

// The states of an item's water loop.
const (
	WaterOpen     = "open"     // the station is still off target
	WaterRegained = "regained" // a later month complied again
	WaterEnded    = "ended"    // the item was closed while still off target
)

// WaterSource is the monitoring source of an item from the water loop.
type WaterSource struct {
	StationID int64    `json:"station_id"`
	Months    []string `json:"months"` // YYYY-MM off target, in order
	Loop      string   `json:"loop"`
	Regained  string   `json:"regained"` // YYYY-MM compliance was regained
}

func splitMonths(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// The functions below are the loop's system work: they run in the caller's
// transaction (the loop's, which claims the month it evaluates) and check
// no permission; each change is on the item's timeline and in the audit
// trail like any other.

// WaterLoop returns the item whose loop is open for station, if any.
func (s *Service) WaterLoop(ctx context.Context, q db.Querier, station int64) (Rectification, bool, error) {
	r, err := scanRect(q.QueryRowContext(ctx, `SELECT `+rectColumns+` FROM rectifications WHERE water_station_id = $1 AND water_loop = 'open'`, station))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// OpenWater opens the item of a new loop for station, off target in month.
func (s *Service) OpenWater(ctx context.Context, tx *sql.Tx, in RectInput, station int64, month string) (Rectification, error) {
	in.SourceKind, in.SourceRef = SourceWater, fmt.Sprintf("station:%d", station)
	return s.open(ctx, tx, in, &WaterSource{StationID: station, Months: []string{month}, Loop: WaterOpen})
}

// AddWaterMonth adds a month the station stayed off target to its open loop.
func (s *Service) AddWaterMonth(ctx context.Context, tx *sql.Tx, id int64, month, note string) (Rectification, error) {
	return s.changeTx(ctx, tx, id, anyVersion, "rectification.water_month", func(tx *sql.Tx, r Rectification) error {
		if r.Water == nil || r.Water.Loop != WaterOpen {
			return fmt.Errorf("rectification %d has no open water loop", id)
		}
		if slices.Contains(r.Water.Months, month) {
			return nil
		}
		months := strings.Join(append(slices.Clone(r.Water.Months), month), ",")
		if _, err := tx.ExecContext(ctx, `UPDATE rectifications SET water_months = $1, updated_at = $2 WHERE id = $3`, months, s.now(), id); err != nil {
			return err
		}
		return s.step(ctx, tx, r, "water_month", note)
	})
}

// RegainWater closes the loop: the station complied again in month. An
// item still waiting for its unit is marked for verification: the
// monitoring record (evidence file name and content) is attached as its
// evidence and response states the compliance, so the office verifies and
// closes it like any response. An item already responded waits for its
// verification; a closed item stays closed.
func (s *Service) RegainWater(ctx context.Context, tx *sql.Tx, id int64, month, response, evidenceName string, record []byte) (Rectification, error) {
	return s.changeTx(ctx, tx, id, anyVersion, "rectification.water_regained", func(tx *sql.Tx, r Rectification) error {
		if r.Water == nil || r.Water.Loop != WaterOpen {
			return fmt.Errorf("rectification %d has no open water loop", id)
		}
		now, by := s.now(), access.FromContext(ctx).LoginOrSystem()
		if _, err := tx.ExecContext(ctx, `UPDATE rectifications SET water_loop = 'regained', water_regained = $1, updated_at = $2 WHERE id = $3`, month, now, id); err != nil {
			return err
		}
		if err := s.step(ctx, tx, r, "water_regained", response); err != nil {
			return err
		}
		if r.Status != Open && r.Status != Returned {
			return nil
		}
		if _, err := evidence.Add(ctx, tx, "rectification", id, evidenceName, record, by, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rectifications SET status = 'responded', response = $1, responded_by = $2, responded_at = $3 WHERE id = $4`,
			response, by, now, id); err != nil {
			return err
		}
		to := notify.Audience{}
		if err := s.verifiers(ctx, tx, r, to); err != nil {
			return err
		}
		if err := s.tell(ctx, tx, to, r, "rectification.responded", fmt.Sprintf("rectification.responded:%d:%d", r.ID, r.Version)); err != nil {
			return err
		}
		return s.step(ctx, tx, r, "responded", response)
	})
}

// EndWater ends the loop of an item that was verified and closed while its
// station was still off target: the next month off target opens a new item.
func (s *Service) EndWater(ctx context.Context, tx *sql.Tx, id int64, note string) (Rectification, error) {
	return s.changeTx(ctx, tx, id, anyVersion, "rectification.water_ended", func(tx *sql.Tx, r Rectification) error {
		if _, err := tx.ExecContext(ctx, `UPDATE rectifications SET water_loop = 'ended', updated_at = $1 WHERE id = $2 AND water_loop = 'open'`, s.now(), id); err != nil {
			return err
		}
		return s.step(ctx, tx, r, "water_ended", note)
	})
}
