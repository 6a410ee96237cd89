// Package waterstore keeps water-quality monitoring stations and their
// readings, ingests monitoring files and automatic stations' pushes, and
// assesses periods from per-month sums kept at ingest. The rules and the
// file readers are internal/water's; this package stores what they read.
package waterstore

import (
	"context"
	"database/sql"
	"regexp"
	"slices"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/water"
)

// Service is the water-quality store.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	// Zone is where months begin and end; nil means China Standard Time
	// (UTC+8, which keeps no daylight saving).
	Zone *time.Location
}

var chinaTime = time.FixedZone("CST", 8*3600)

func (s *Service) zone() *time.Location {
	if s.Zone == nil {
		return chinaTime
	}
	return s.Zone
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

// Status is whether a station is in service.
type Status string

const (
	Active    Status = "active"
	Suspended Status = "suspended"
	Retired   Status = "retired"
)

// Boundary is the kind of boundary a cross-boundary section (跨界断面)
// sits on; "" for a section on none.
type Boundary string

const (
	CrossCity      Boundary = "cross_city"
	ProvinceEntry  Boundary = "province_entry"
	SeaEntry       Boundary = "sea_entry"
	TributaryMouth Boundary = "tributary_mouth"
)

// Stem says whether a cross-boundary section is on a main stem or a
// tributary, which sets its compensation rate.
type Stem string

const (
	MainStem  Stem = "main"
	Tributary Stem = "tributary"
)

// StationInput is what the office sets on a station.
type StationInput struct {
	Code      string          `json:"code"`
	NameZh    string          `json:"name_zh"`
	NameEn    string          `json:"name_en"`
	Province  string          `json:"province"`
	Basin     string          `json:"basin"`
	Water     string          `json:"water"` // the river or sea area
	Latitude  *float64        `json:"latitude"`
	Longitude *float64        `json:"longitude"`
	UnitID    *int64          `json:"unit_id"` // the responsible unit
	Body      water.WaterBody `json:"water_body"`
	// Target is the target class (水质目标), water.NoClass for none.
	Target       water.Class `json:"target_class"`
	Status       Status      `json:"status"`
	Boundary     Boundary    `json:"boundary"`
	UpstreamID   *int64      `json:"upstream_unit_id"`
	DownstreamID *int64      `json:"downstream_unit_id"`
	Stem         Stem        `json:"stem"`
}

// Station is a stored station.
type Station struct {
	ID int64 `json:"id"`
	StationInput
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const stationColumns = `id, code, name_zh, name_en, province, basin, water, latitude, longitude, unit_id, water_body,
	target_class, status, boundary, upstream_unit_id, downstream_unit_id, stem, version, created_at, updated_at`

func scanStation(row db.Scanner) (Station, error) {
	var s Station
	err := row.Scan(&s.ID, &s.Code, &s.NameZh, &s.NameEn, &s.Province, &s.Basin, &s.Water, &s.Latitude, &s.Longitude,
		&s.UnitID, &s.Body, &s.Target, &s.Status, &s.Boundary, &s.UpstreamID, &s.DownstreamID, &s.Stem,
		&s.Version, &s.CreatedAt, &s.UpdatedAt)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return s, err
}

func (in StationInput) args() []any {
	return []any{in.Code, in.NameZh, in.NameEn, in.Province, in.Basin, in.Water, in.Latitude, in.Longitude, in.UnitID,
		string(in.Body), int(in.Target), string(in.Status), string(in.Boundary), in.UpstreamID, in.DownstreamID, string(in.Stem)}
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// validate checks a station on its own; the units it names are checked
// against the store by checkUnits.
func (in *StationInput) validate(v *errs.Validation) {
	v.Text("code", in.Code, true, 40)
	if in.Code != "" && !codePattern.MatchString(in.Code) {
		v.Add("code", "error.water.code")
	}
	v.Text("name_zh", in.NameZh, true, 100)
	v.Text("name_en", in.NameEn, false, 200)
	v.Text("province", in.Province, true, 50)
	v.Text("basin", in.Basin, false, 100)
	v.Text("water", in.Water, false, 100)
	switch {
	case (in.Latitude == nil) != (in.Longitude == nil):
		v.Add("longitude", "error.water.coordinates_pair")
	case in.Latitude != nil && !(*in.Latitude >= -90 && *in.Latitude <= 90): // NaN too
		v.Add("latitude", "error.water.latitude")
	case in.Longitude != nil && !(*in.Longitude >= -180 && *in.Longitude <= 180):
		v.Add("longitude", "error.water.longitude")
	}
	// The store keeps codes only, not the Chinese names ParseWaterBody also reads.
	if !slices.Contains(water.WaterBodies, in.Body) {
		v.Add("water_body", "error.water.water_body", string(in.Body))
	}
	worst := water.WorseThanV
	if in.Body == water.Sea {
		worst = water.ClassIV // GB 3097 has Ⅰ–Ⅳ; 劣Ⅳ is no target
	}
	if in.Target > worst {
		v.Add("target_class", "error.water.target", int(in.Target))
	}
	if in.Status == "" {
		in.Status = Active
	}
	if in.Status != Active && in.Status != Suspended && in.Status != Retired {
		v.Add("status", "error.water.status", string(in.Status))
	}
	switch in.Boundary {
	case "":
		if in.UpstreamID != nil || in.DownstreamID != nil || in.Stem != "" {
			v.Add("boundary", "error.water.not_boundary")
		}
		return
	case CrossCity, ProvinceEntry:
		if in.UpstreamID == nil {
			v.Add("upstream_unit_id", "error.required")
		}
		if in.DownstreamID == nil {
			v.Add("downstream_unit_id", "error.required")
		}
		if in.UpstreamID != nil && in.DownstreamID != nil && *in.UpstreamID == *in.DownstreamID {
			v.Add("downstream_unit_id", "error.water.same_units")
		}
	case SeaEntry, TributaryMouth:
		// The city where the section lies pays: the responsible unit.
		if in.UnitID == nil {
			v.Add("unit_id", "error.water.host_unit")
		}
	default:
		v.Add("boundary", "error.water.boundary", string(in.Boundary))
	}
	if in.Stem != MainStem && in.Stem != Tributary {
		v.Add("stem", "error.water.stem", string(in.Stem))
	}
}

// checkUnits adds an error for every unit the station names that is not
// an active unit.
func checkUnits(ctx context.Context, q db.Querier, in StationInput, v *errs.Validation) error {
	for _, u := range []struct {
		field string
		id    *int64
	}{{"unit_id", in.UnitID}, {"upstream_unit_id", in.UpstreamID}, {"downstream_unit_id", in.DownstreamID}} {
		if u.id == nil {
			continue
		}
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM units WHERE id = $1 AND active`, *u.id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			v.Add(u.field, "error.water.unit_unknown", *u.id)
		}
	}
	return nil
}

func checkStation(ctx context.Context, q db.Querier, in *StationInput) error {
	var v errs.Validation
	in.validate(&v)
	if err := checkUnits(ctx, q, *in, &v); err != nil {
		return err
	}
	return v.Err()
}

// uniqueStation words a duplicate code or name as the field that clashes.
func uniqueStation(err error) error {
	if err == nil {
		return nil
	}
	field := "code"
	if strings.Contains(err.Error(), "name_zh") {
		field = "name_zh"
	}
	return errs.Unique(err, field)
}

// Stations lists every station by code.
func (s *Service) Stations(ctx context.Context) ([]Station, error) {
	if err := access.FromContext(ctx).Check(access.ViewWater, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanStation, `SELECT `+stationColumns+` FROM water_stations ORDER BY code`)
}

// Station returns one station.
func (s *Service) Station(ctx context.Context, id int64) (Station, error) {
	if err := access.FromContext(ctx).Check(access.ViewWater, 0); err != nil {
		return Station{}, err
	}
	return getStation(ctx, s.DB.R, id)
}

func getStation(ctx context.Context, q db.Querier, id int64) (Station, error) {
	st, err := scanStation(q.QueryRowContext(ctx, `SELECT `+stationColumns+` FROM water_stations WHERE id = $1`, id))
	return st, errs.NotFoundIf(err, "water_station")
}

// CreateStation adds a station.
func (s *Service) CreateStation(ctx context.Context, in StationInput) (Station, error) {
	if err := access.FromContext(ctx).Check(access.ManageWater, 0); err != nil {
		return Station{}, err
	}
	var st Station
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := checkStation(ctx, tx, &in); err != nil {
			return err
		}
		var err error
		st, err = insertStation(ctx, tx, in, s.now())
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "water.station.create", ObjectType: "water_station", ObjectID: st.ID, After: st})
	})
	return st, err
}

func insertStation(ctx context.Context, tx *sql.Tx, in StationInput, now time.Time) (Station, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO water_stations (code, name_zh, name_en, province, basin, water, latitude, longitude,
		unit_id, water_body, target_class, status, boundary, upstream_unit_id, downstream_unit_id, stem, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$17) RETURNING id`,
		append(in.args(), now)...).Scan(&id)
	if err != nil {
		return Station{}, uniqueStation(err)
	}
	return getStation(ctx, tx, id)
}

// UpdateStation changes a station edited at version.
func (s *Service) UpdateStation(ctx context.Context, id int64, in StationInput, version int) (Station, error) {
	if err := access.FromContext(ctx).Check(access.ManageWater, 0); err != nil {
		return Station{}, err
	}
	var st Station
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getStation(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return errs.StaleVersion(before)
		}
		if err := checkStation(ctx, tx, &in); err != nil {
			return err
		}
		if st, err = updateStation(ctx, tx, before, in, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "water.station.update", ObjectType: "water_station", ObjectID: id, Before: before, After: st})
	})
	return st, err
}

func updateStation(ctx context.Context, tx *sql.Tx, before Station, in StationInput, now time.Time) (Station, error) {
	res, err := tx.ExecContext(ctx, `UPDATE water_stations SET code = $1, name_zh = $2, name_en = $3, province = $4, basin = $5,
		water = $6, latitude = $7, longitude = $8, unit_id = $9, water_body = $10, target_class = $11, status = $12,
		boundary = $13, upstream_unit_id = $14, downstream_unit_id = $15, stem = $16, version = version + 1, updated_at = $17
		WHERE id = $18 AND version = $19`, append(in.args(), now, before.ID, before.Version)...)
	if err != nil {
		return Station{}, uniqueStation(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Station{}, err
	} else if n != 1 {
		return Station{}, errs.StaleVersion(before)
	}
	return getStation(ctx, tx, before.ID)
}
