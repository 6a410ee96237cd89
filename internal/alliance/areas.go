package alliance

import (
	"context"
	"database/sql"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
)

// Area is a coordination area (协同领域): a dimension of every plan and task.
type Area struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Name      Names     `json:"name"`
	Position  int       `json:"position"`
	Active    bool      `json:"active"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// AreaInput is what a caller may set on an area.
type AreaInput struct {
	Code     string `json:"code"`
	Name     Names  `json:"name"`
	Position int    `json:"position"`
	Active   *bool  `json:"active"`
}

// DefaultAreas are the six kinds of coordination of the source mechanism.
var DefaultAreas = []AreaInput{
	{Code: "planning", Name: Names{"规划协同", "規劃協同", "Planning"}, Position: 1},
	{Code: "industry", Name: Names{"产业协同", "產業協同", "Industry"}, Position: 2},
	{Code: "innovation", Name: Names{"创新协同", "創新協同", "Innovation"}, Position: 3},
	{Code: "reform", Name: Names{"改革协同", "改革協同", "Reform"}, Position: 4},
	{Code: "policy", Name: Names{"政策协同", "政策協同", "Policy"}, Position: 5},
	{Code: "environment", Name: Names{"环境协同", "環境協同", "Environment"}, Position: 6},
}

const areaColumns = `id, code, name_zh_hans, name_zh_hant, name_en, position, active, version, created_at, updated_at`

func scanArea(row db.Scanner) (Area, error) {
	var a Area
	err := row.Scan(&a.ID, &a.Code, &a.Name.ZhHans, &a.Name.ZhHant, &a.Name.En, &a.Position, &a.Active, &a.Version, &a.CreatedAt, &a.UpdatedAt)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, err
}

func getArea(ctx context.Context, q db.Querier, id int64) (Area, error) {
	a, err := scanArea(q.QueryRowContext(ctx, `SELECT `+areaColumns+` FROM areas WHERE id = $1`, id))
	return a, errs.NotFoundIf(err, "area")
}

// Area returns one area.
func (s *Service) Area(ctx context.Context, id int64) (Area, error) { return getArea(ctx, s.DB.R, id) }

// Areas lists the areas in their order.
func (s *Service) Areas(ctx context.Context) ([]Area, error) {
	return db.All(ctx, s.DB.R, scanArea, `SELECT `+areaColumns+` FROM areas ORDER BY position, code`)
}

func (in *AreaInput) validate() error {
	var v errs.Validation
	checkCode(&v, in.Code)
	in.Name.validate(&v, "name")
	if in.Position < 0 || in.Position > 1000 {
		v.Add("position", "error.range", 0, 1000)
	}
	return v.Err()
}

// CreateArea adds a coordination area.
func (s *Service) CreateArea(ctx context.Context, in AreaInput) (Area, error) {
	if err := access.FromContext(ctx).Check(access.CreateArea, 0); err != nil {
		return Area{}, err
	}
	return s.insertArea(ctx, in)
}

// insertArea validates and adds an area, recording it on the audit trail.
func (s *Service) insertArea(ctx context.Context, in AreaInput) (Area, error) {
	if err := in.validate(); err != nil {
		return Area{}, err
	}
	in.Name = in.Name.filled()
	var a Area
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO areas (code, name_zh_hans, name_zh_hant, name_en, position, active, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$7) RETURNING id`,
			in.Code, in.Name.ZhHans, in.Name.ZhHant, in.Name.En, in.Position, in.Active == nil || *in.Active, db.Now()).Scan(&id)
		if err != nil {
			return errs.Unique(err, "code")
		}
		if a, err = getArea(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "area.create", ObjectType: "area", ObjectID: id, After: a})
	})
	return a, err
}

// UpdateArea replaces an area's fields if version is current.
func (s *Service) UpdateArea(ctx context.Context, id int64, in AreaInput, version int) (Area, error) {
	if err := access.FromContext(ctx).Check(access.EditArea, 0); err != nil {
		return Area{}, err
	}
	if err := in.validate(); err != nil {
		return Area{}, err
	}
	in.Name = in.Name.filled()
	var after Area
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getArea(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return errs.StaleVersion(before)
		}
		active := before.Active
		if in.Active != nil {
			active = *in.Active
		}
		res, err := tx.ExecContext(ctx, `UPDATE areas SET code=$1, name_zh_hans=$2, name_zh_hant=$3, name_en=$4, position=$5, active=$6,
			version=version+1, updated_at=$7 WHERE id=$8 AND version=$9`,
			in.Code, in.Name.ZhHans, in.Name.ZhHant, in.Name.En, in.Position, active, db.Now(), id, version)
		if err != nil {
			return errs.Unique(err, "code")
		}
		if err := staleIfNone(res, func() (any, error) { return getArea(ctx, tx, id) }); err != nil {
			return err
		}
		if after, err = getArea(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "area.update", ObjectType: "area", ObjectID: id, Before: before, After: after})
	})
	return after, err
}
