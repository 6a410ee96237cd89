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

// UnitKind is what sort of member a unit is.
type UnitKind string

const (
	City       UnitKind = "city"
	Department UnitKind = "department" // a provincial department
	Office     UnitKind = "office"     // the coordination office
	Other      UnitKind = "other"
)

// UnitKinds lists the kinds in display order.
var UnitKinds = []UnitKind{City, Department, Office, Other}

func (k UnitKind) valid() bool {
	for _, x := range UnitKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Unit is a member unit of the alliance.
type Unit struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Name      Names     `json:"name"`
	Kind      UnitKind  `json:"kind"`
	ParentID  *int64    `json:"parent_id"`
	Active    bool      `json:"active"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// UnitInput is what a caller may set on a unit.
type UnitInput struct {
	Code     string   `json:"code"`
	Name     Names    `json:"name"`
	Kind     UnitKind `json:"kind"`
	ParentID *int64   `json:"parent_id"`
	Active   *bool    `json:"active"`
}

const unitColumns = `id, code, name_zh_hans, name_zh_hant, name_en, kind, parent_id, active, version, created_at, updated_at`

func scanUnit(row db.Scanner) (Unit, error) {
	var u Unit
	err := row.Scan(&u.ID, &u.Code, &u.Name.ZhHans, &u.Name.ZhHant, &u.Name.En, &u.Kind, &u.ParentID, &u.Active, &u.Version, &u.CreatedAt, &u.UpdatedAt)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}

// Unit returns one unit.
func (s *Service) Unit(ctx context.Context, id int64) (Unit, error) {
	return getUnit(ctx, s.DB.R, id)
}

func getUnit(ctx context.Context, q db.Querier, id int64) (Unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, `SELECT `+unitColumns+` FROM units WHERE id = $1`, id))
	return u, errs.NotFoundIf(err, "unit")
}

// Units lists units ordered by kind then code; inactive ones only if asked.
func (s *Service) Units(ctx context.Context, withRetired bool) ([]Unit, error) {
	q := `SELECT ` + unitColumns + ` FROM units`
	if !withRetired {
		q += ` WHERE active = TRUE`
	}
	q += ` ORDER BY CASE kind WHEN 'office' THEN 0 WHEN 'city' THEN 1 WHEN 'department' THEN 2 ELSE 3 END, code`
	return db.All(ctx, s.DB.R, scanUnit, q)
}

func (in *UnitInput) validate(ctx context.Context, q db.Querier, self int64) error {
	var v errs.Validation
	checkCode(&v, in.Code)
	in.Name.validate(&v, "name")
	if !in.Kind.valid() {
		v.Add("kind", "error.choice")
	}
	if in.ParentID != nil {
		if *in.ParentID == self {
			v.Add("parent_id", "error.unit.parent_self")
		} else if err := checkParent(ctx, q, *in.ParentID, self); err != nil {
			if e, ok := errs.As(err); ok {
				v.Add("parent_id", e.Key)
			} else {
				return err
			}
		}
	}
	return v.Err()
}

// checkParent makes sure parent exists and that self is not among its
// ancestors, so the unit tree never gets a cycle.
func checkParent(ctx context.Context, q db.Querier, parent, self int64) error {
	for id, depth := parent, 0; id != 0; depth++ {
		var next sql.NullInt64
		err := q.QueryRowContext(ctx, `SELECT parent_id FROM units WHERE id = $1`, id).Scan(&next)
		if err == sql.ErrNoRows {
			return errs.New(errs.Invalid, "error.unit.parent_missing")
		}
		if err != nil {
			return err
		}
		if id == self && self != 0 || depth > 64 {
			return errs.New(errs.Invalid, "error.unit.parent_cycle")
		}
		id = next.Int64
	}
	return nil
}

// CreateUnit adds a unit.
func (s *Service) CreateUnit(ctx context.Context, in UnitInput) (Unit, error) {
	if err := access.FromContext(ctx).Check(access.CreateUnit, 0); err != nil {
		return Unit{}, err
	}
	return s.insertUnit(ctx, in)
}

// insertUnit validates and adds a unit, recording it on the audit trail.
func (s *Service) insertUnit(ctx context.Context, in UnitInput) (Unit, error) {
	var u Unit
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := in.validate(ctx, tx, 0); err != nil {
			return err
		}
		in.Name = in.Name.filled()
		now := db.Now()
		active := in.Active == nil || *in.Active
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO units (code, name_zh_hans, name_zh_hant, name_en, kind, parent_id, active, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING id`,
			in.Code, in.Name.ZhHans, in.Name.ZhHant, in.Name.En, in.Kind, in.ParentID, active, now).Scan(&id)
		if err != nil {
			return errs.Unique(err, "code")
		}
		if u, err = getUnit(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "unit.create", ObjectType: "unit", ObjectID: id, After: u})
	})
	return u, err
}

// UpdateUnit replaces a unit's fields if version is current.
func (s *Service) UpdateUnit(ctx context.Context, id int64, in UnitInput, version int) (Unit, error) {
	if err := access.FromContext(ctx).Check(access.EditUnit, id); err != nil {
		return Unit{}, err
	}
	var after Unit
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getUnit(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return errs.StaleVersion(before)
		}
		// Two re-parentings checked side by side could each pass and together
		// make a cycle: check and change the tree one writer at a time.
		if err := s.DB.Serialize(ctx, tx, "units.tree"); err != nil {
			return err
		}
		if err := in.validate(ctx, tx, id); err != nil {
			return err
		}
		in.Name = in.Name.filled()
		active := before.Active
		if in.Active != nil {
			active = *in.Active
		}
		res, err := tx.ExecContext(ctx, `UPDATE units SET code=$1, name_zh_hans=$2, name_zh_hant=$3, name_en=$4, kind=$5, parent_id=$6, active=$7,
			version=version+1, updated_at=$8 WHERE id=$9 AND version=$10`,
			in.Code, in.Name.ZhHans, in.Name.ZhHant, in.Name.En, in.Kind, in.ParentID, active, db.Now(), id, version)
		if err != nil {
			return errs.Unique(err, "code")
		}
		if err := staleIfNone(res, func() (any, error) { return getUnit(ctx, tx, id) }); err != nil {
			return err
		}
		if after, err = getUnit(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "unit.update", ObjectType: "unit", ObjectID: id, Before: before, After: after})
	})
	return after, err
}
