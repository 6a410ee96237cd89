package waterstore

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
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

// dayRows reads stored days (station_id, data rows) and unpacks the
// values of their samples from from (inclusive) to to (exclusive), Unix
// times, in station, time and item order as the rows come, keeping those
// keep accepts, at most limit (reading no further rows then); the sources
// are the values' batches.
func dayRows(ctx context.Context, q db.Querier, keep func(value) bool, from, to int64, limit int, query string, args ...any) ([]Reading, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Reading{}
	batches := map[int64]bool{}
	var batchOf []int64
	for rows.Next() && len(out) < limit {
		var station int64
		var data []byte
		if err := rows.Scan(&station, &data); err != nil {
			return nil, err
		}
		samples, err := parseDay(data)
		if err != nil {
			return nil, err
		}
		for _, s := range samples {
			if s.at < from || s.at >= to {
				continue
			}
			for _, v := range s.vals {
				if !keep(v) || len(out) == limit {
					continue
				}
				r := Reading{StationID: station, Time: time.Unix(s.at, 0).UTC(), Item: v.item, Value: v.value, Unit: water.UnitOf(v.item), Flag: v.flag}
				if r.Flag == Suspect {
					r.Why = water.Check(r.Item, r.Value)
				}
				out = append(out, r)
				batchOf = append(batchOf, v.batch)
				batches[v.batch] = true
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	type source struct{ name, kind string }
	sources := map[int64]source{}
	ids := slices.Sorted(maps.Keys(batches))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		marks := make([]string, n)
		for i, id := range ids[:n] {
			args[i], marks[i] = id, "$"+strconv.Itoa(i+1)
		}
		ids = ids[n:]
		list, err := q.QueryContext(ctx, `SELECT id, name, source FROM water_batches WHERE id IN (`+strings.Join(marks, ",")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for list.Next() {
			var id int64
			var src source
			if err := list.Scan(&id, &src.name, &src.kind); err != nil {
				list.Close()
				return nil, err
			}
			sources[id] = src
		}
		list.Close()
		if err := list.Err(); err != nil {
			return nil, err
		}
	}
	for i := range out {
		src := sources[batchOf[i]]
		out[i].Source, out[i].SourceKind = src.name, src.kind
	}
	return out, nil
}

func all(value) bool { return true }

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
	f, t := from.Unix(), to.Unix()
	return dayRows(ctx, s.DB.R, all, f, t, limit, `SELECT station_id, data FROM water_days
		WHERE station_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day`, stationID, dayOf(f), dayOf(t-1))
}

// Suspects lists the suspect values of every station from from (inclusive)
// to to (exclusive), for review: by station, then time; at most MaxReadings.
func (s *Service) Suspects(ctx context.Context, from, to time.Time) ([]Reading, error) {
	if err := access.FromContext(ctx).Check(access.ViewWater, 0); err != nil {
		return nil, err
	}
	f, t := from.Unix(), to.Unix()
	return dayRows(ctx, s.DB.R, func(v value) bool { return v.flag == Suspect }, f, t, MaxReadings,
		`SELECT station_id, data FROM water_days WHERE suspect = 1 AND day BETWEEN $1 AND $2
		ORDER BY station_id, day`, dayOf(f), dayOf(t-1))
}
