// Package alliance keeps the alliance itself, its member units and its
// coordination areas.
package alliance

import (
	"context"
	"database/sql"
	"regexp"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
)

// Names is a name in each of Concord's languages.
type Names struct {
	ZhHans string `json:"zh_hans"`
	ZhHant string `json:"zh_hant"`
	En     string `json:"en"`
}

// In picks the name for a language tag, falling back to Simplified Chinese.
func (n Names) In(lang string) string {
	switch {
	case lang == "zh-Hant" && n.ZhHant != "":
		return n.ZhHant
	case lang == "en" && n.En != "":
		return n.En
	}
	return n.ZhHans
}

func (n Names) validate(v *errs.Validation, field string) {
	v.Text(field+".zh_hans", n.ZhHans, true, 200)
	v.Text(field+".zh_hant", n.ZhHant, false, 200)
	v.Text(field+".en", n.En, false, 200)
}

// filled copies the Simplified name into empty translations, so that every
// language always has something to show.
func (n Names) filled() Names {
	if n.ZhHant == "" {
		n.ZhHant = n.ZhHans
	}
	if n.En == "" {
		n.En = n.ZhHans
	}
	return n
}

// Alliance is the alliance this deployment serves.
type Alliance struct {
	Name      Names     `json:"name"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Service is the alliance's directory: the alliance, units and areas.
type Service struct {
	DB  *db.DB
	dir directoryCache
}

// Get returns the alliance.
func (s *Service) Get(ctx context.Context) (Alliance, error) {
	return getAlliance(ctx, s.DB.R)
}

func getAlliance(ctx context.Context, q db.Querier) (Alliance, error) {
	var a Alliance
	err := q.QueryRowContext(ctx, `SELECT name_zh_hans, name_zh_hant, name_en, version, updated_at FROM alliance WHERE id = 1`).
		Scan(&a.Name.ZhHans, &a.Name.ZhHant, &a.Name.En, &a.Version, &a.UpdatedAt)
	a.UpdatedAt = a.UpdatedAt.UTC()
	return a, errs.NotFoundIf(err, "alliance")
}

// Init names the alliance the first time; it is how a deployment starts.
func (s *Service) Init(ctx context.Context, name Names) error {
	var v errs.Validation
	name.validate(&v, "name")
	if err := v.Err(); err != nil {
		return err
	}
	name = name.filled()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO alliance (id, name_zh_hans, name_zh_hant, name_en, updated_at) VALUES (1,$1,$2,$3,$4)`,
			name.ZhHans, name.ZhHant, name.En, db.Now())
		if err != nil {
			return errs.Unique(err, "name")
		}
		return audit.Record(ctx, tx, audit.Change{Action: "alliance.create", ObjectType: "alliance", ObjectID: 1, After: Alliance{Name: name, Version: 1}})
	})
}

// Rename changes the alliance's names if version is current.
func (s *Service) Rename(ctx context.Context, name Names, version int) (Alliance, error) {
	a := access.FromContext(ctx)
	if err := a.Check(access.EditAlliance, 0); err != nil {
		return Alliance{}, err
	}
	var v errs.Validation
	name.validate(&v, "name")
	if err := v.Err(); err != nil {
		return Alliance{}, err
	}
	name = name.filled()
	var after Alliance
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getAlliance(ctx, tx)
		if err != nil {
			return err
		}
		if before.Version != version {
			return errs.StaleVersion(before)
		}
		after = Alliance{Name: name, Version: version + 1, UpdatedAt: db.Now()}
		res, err := tx.ExecContext(ctx, `UPDATE alliance SET name_zh_hans=$1, name_zh_hant=$2, name_en=$3, version=$4, updated_at=$5 WHERE id = 1 AND version = $6`,
			name.ZhHans, name.ZhHant, name.En, after.Version, after.UpdatedAt, version)
		if err != nil {
			return err
		}
		if err := staleIfNone(res, func() (any, error) { return getAlliance(ctx, tx) }); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "alliance.update", ObjectType: "alliance", ObjectID: 1, Before: before, After: after})
	})
	return after, err
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)

func checkCode(v *errs.Validation, code string) {
	if code == "" {
		v.Add("code", "error.required")
	} else if !codePattern.MatchString(code) {
		v.Add("code", "error.code_format")
	}
}

// staleIfNone turns an UPDATE … WHERE version = $n that changed no row into
// a stale-version conflict carrying the object as it is now. The version
// read at the start of a transaction is not enough on PostgreSQL: a writer
// that read the same version waits for the row lock and must then find its
// UPDATE matching nothing, or it would overwrite the other's change.
func staleIfNone(res sql.Result, current func() (any, error)) error {
	n, err := res.RowsAffected()
	if err != nil || n > 0 {
		return err
	}
	cur, err := current()
	if err != nil {
		return err
	}
	return errs.StaleVersion(cur)
}
