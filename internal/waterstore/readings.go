package waterstore

import (
	"context"
	"time"

	"concord/internal/access"
	"concord/internal/db"
	"concord/internal/water"
)

// Reading is one stored value.
type Reading struct {
	StationID int64      `json:"station_id"`
	Time      time.Time  `json:"time"`
	Item      water.Item `json:"item"`
	Value     float64    `json:"value"`
	Unit      string     `json:"unit"`
	Flag      Flag       `json:"flag"`
	// Source is where the value came from: a file's name or a station's
	// code for a push (SourceKind).
	Source     string `json:"source"`
	SourceKind string `json:"source_kind"` // file or push
	// Why is the catalogue key of why a suspect value is impossible.
	Why string `json:"why,omitempty"`
}

const readingQuery = `SELECT r.station_id, r.at, r.item, r.value, r.flag, b.name, b.source
	FROM water_readings r JOIN water_batches b ON b.id = r.batch_id `

func scanReading(row db.Scanner) (Reading, error) {
	var r Reading
	var at int64
	var item string
	err := row.Scan(&r.StationID, &at, &item, &r.Value, &r.Flag, &r.Source, &r.SourceKind)
	r.Time, r.Item = time.Unix(at, 0).UTC(), water.Item(item)
	r.Unit = water.UnitOf(r.Item)
	if r.Flag == Suspect {
		r.Why = water.Check(r.Item, r.Value)
	}
	return r, err
}

// MaxReadings is the most readings one listing returns.
const MaxReadings = 10000

// Readings lists a station's readings from from (inclusive) to to
// (exclusive), in time and item order, at most limit of them (at most
// MaxReadings).
func (s *Service) Readings(ctx context.Context, stationID int64, from, to time.Time, limit int) ([]Reading, error) {
	if err := access.FromContext(ctx).Check(access.ViewWater, 0); err != nil {
		return nil, err
	}
	if _, err := getStation(ctx, s.DB.R, stationID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxReadings {
		limit = MaxReadings
	}
	return db.All(ctx, s.DB.R, scanReading, readingQuery+`WHERE r.station_id = $1 AND r.at >= $2 AND r.at < $3
		ORDER BY r.at, r.item LIMIT $4`, stationID, from.Unix(), to.Unix(), limit)
}

// Suspects lists the suspect values of every station from from (inclusive)
// to to (exclusive), for review: by station, then time; at most MaxReadings.
func (s *Service) Suspects(ctx context.Context, from, to time.Time) ([]Reading, error) {
	if err := access.FromContext(ctx).Check(access.ViewWater, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanReading, readingQuery+`WHERE r.flag = 3 AND r.at >= $1 AND r.at < $2
		ORDER BY r.station_id, r.at, r.item LIMIT $3`, from.Unix(), to.Unix(), MaxReadings)
}
