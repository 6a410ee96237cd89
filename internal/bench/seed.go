// Package bench measures Concord against the performance targets of its
// foundation: an authenticated API list read on SQLite with 300 units and
// 5,000 users, the start-up time of `concord serve` and its idle memory. Each
// figure is reported beside a baseline measured in the same run. The command
// is cmd/concord-bench; docs/performance.md explains the method.
package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/db"
)

// AdminLogin is the security administrator the benchmark signs in as; every
// seeded user has Password too.
const (
	AdminLogin = "bench-secadmin"
	Password   = "Bench-password-2018"
)

// SeedOptions size the seeded store.
type SeedOptions struct {
	Units int // member units, the coordination office among them
	Users int // users besides AdminLogin, spread over the units
	Batch int // users inserted per transaction (default 500)
}

// Dataset is what a store holds, as counted in it.
type Dataset struct {
	Path      string  `json:"path"`
	Units     int     `json:"units"`
	Users     int     `json:"users"`
	UserRoles int     `json:"user_roles"`
	AuditRows int     `json:"audit_rows"`
	Seeded    bool    `json:"seeded"`              // false when an existing file was reused
	SeedSecs  float64 `json:"seed_secs,omitempty"` // how long seeding took
}

// SeedFile creates the SQLite store at path (which must not exist), migrates
// it, seeds it and closes it, so that the write-ahead log is checkpointed
// as after a normal shutdown.
func SeedFile(ctx context.Context, path string, opt SeedOptions) (Dataset, error) {
	if _, err := os.Stat(path); err == nil {
		return Dataset{}, fmt.Errorf("%s already exists", path)
	}
	start := time.Now()
	d, err := db.Open(ctx, path)
	if err != nil {
		return Dataset{}, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return Dataset{}, fmt.Errorf("migrate: %w", err)
	}
	if err := Seed(ctx, d, opt); err != nil {
		d.Close()
		return Dataset{}, err
	}
	if err := d.Close(); err != nil {
		return Dataset{}, err
	}
	ds, err := Inspect(ctx, path)
	ds.Seeded, ds.SeedSecs = true, math.Round(time.Since(start).Seconds()*100)/100
	return ds, err
}

// Inspect counts what the store at path holds and checks that it is a
// benchmark store at the current schema.
func Inspect(ctx context.Context, path string) (Dataset, error) {
	ds := Dataset{Path: path}
	if _, err := os.Stat(path); err != nil {
		return ds, err
	}
	d, err := db.Open(ctx, path)
	if err != nil {
		return ds, err
	}
	defer d.Close()
	if err := d.CheckSchema(ctx); err != nil {
		return ds, err
	}
	var admins int
	if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE login = $1`, AdminLogin).Scan(&admins); err != nil {
		return ds, err
	}
	if admins != 1 {
		return ds, fmt.Errorf("%s is not a benchmark store (it has no %s user)", path, AdminLogin)
	}
	for _, c := range []struct {
		q string
		n *int
	}{
		{`SELECT count(*) FROM units`, &ds.Units},
		{`SELECT count(*) FROM users`, &ds.Users},
		{`SELECT count(*) FROM user_roles`, &ds.UserRoles},
		{`SELECT count(*) FROM audit_log`, &ds.AuditRows},
	} {
		if err := d.R.QueryRowContext(ctx, c.q).Scan(c.n); err != nil {
			return ds, err
		}
	}
	return ds, nil
}

// Seed fills an empty, migrated store: the alliance and its six default
// areas, opt.Units units (the coordination office, cities, provincial
// departments, and bureaus under the cities), the security administrator
// AdminLogin, and opt.Users users spread round-robin over the units, each
// with one business role.
//
// The alliance, areas, units and the administrator are made through the
// services, with their audit entries. The users are inserted with the same
// SQL the accounts service uses, in batched transactions, all with ONE
// argon2id hash of Password computed up front: hashing 5,000 passwords one
// by one would take minutes and measure nothing the benchmark is about. Each
// user still gets its roles and its "user.create" audit entry, written with
// audit.Record in the same transaction, as accounts.CreateUser does.
func Seed(ctx context.Context, d *db.DB, opt SeedOptions) error {
	if opt.Units < 1 {
		return errors.New("need at least one unit")
	}
	if opt.Batch <= 0 {
		opt.Batch = 500
	}
	al := &alliance.Service{DB: d}
	acc := &accounts.Service{DB: d, Settings: accounts.DefaultSettings}
	if err := al.BootstrapInit(ctx, alliance.Names{ZhHans: "基准测试经济带", ZhHant: "基準測試經濟帶", En: "Benchmark belt"}); err != nil {
		return fmt.Errorf("alliance: %w", err)
	}
	for _, a := range alliance.DefaultAreas {
		if _, err := al.BootstrapArea(ctx, a); err != nil {
			return fmt.Errorf("area %s: %w", a.Code, err)
		}
	}
	unitIDs, err := seedUnits(ctx, al, opt.Units)
	if err != nil {
		return err
	}
	if _, err := acc.Bootstrap(ctx, accounts.UserInput{Login: AdminLogin, Name: "基准 安全管理员", UnitID: unitIDs[0],
		Password: Password, Roles: []access.Role{access.SecAdmin}}); err != nil {
		return fmt.Errorf("administrator: %w", err)
	}
	hash, err := accounts.HashPassword(Password)
	if err != nil {
		return err
	}
	sys := access.WithActor(ctx, &access.Actor{Login: "system"})
	for from := 0; from < opt.Users; from += opt.Batch {
		to := min(from+opt.Batch, opt.Users)
		if err := d.Tx(sys, func(tx *sql.Tx) error { return insertUsers(sys, tx, unitIDs, hash, from, to) }); err != nil {
			return fmt.Errorf("users %d–%d: %w", from+1, to, err)
		}
	}
	return nil
}

// seedUnits makes n units through the alliance service: unit 0 is the
// coordination office; then up to 14 cities, then provincial departments up
// to a third of n, and the rest are bureaus whose parent is a city.
func seedUnits(ctx context.Context, al *alliance.Service, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	var cities []int64
	for i := range n {
		in := alliance.UnitInput{}
		switch {
		case i == 0:
			in.Code, in.Kind = "office", alliance.Office
			in.Name = alliance.Names{ZhHans: "协调办公室", ZhHant: "協調辦公室", En: "Coordination office"}
		case i <= 14:
			in.Code, in.Kind = fmt.Sprintf("city-%02d", i), alliance.City
			in.Name = alliance.Names{ZhHans: fmt.Sprintf("第%d市", i), ZhHant: fmt.Sprintf("第%d市", i), En: fmt.Sprintf("City %d", i)}
		case i <= n/3 || len(cities) == 0:
			in.Code, in.Kind = fmt.Sprintf("dept-%03d", i), alliance.Department
			in.Name = alliance.Names{ZhHans: fmt.Sprintf("省第%d厅", i), ZhHant: fmt.Sprintf("省第%d廳", i), En: fmt.Sprintf("Provincial department %d", i)}
		default:
			parent := cities[i%len(cities)]
			in.Code, in.Kind, in.ParentID = fmt.Sprintf("bureau-%03d", i), alliance.Other, &parent
			in.Name = alliance.Names{ZhHans: fmt.Sprintf("第%d局", i), ZhHant: fmt.Sprintf("第%d局", i), En: fmt.Sprintf("Bureau %d", i)}
		}
		u, err := al.BootstrapUnit(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("unit %s: %w", in.Code, err)
		}
		ids = append(ids, u.ID)
		if u.Kind == alliance.City {
			cities = append(cities, u.ID)
		}
	}
	return ids, nil
}

// roleMix is the role of user i (by i mod 10): mostly reporters and viewers,
// as in a real alliance.
var roleMix = []access.Role{
	access.Reporter, access.Reporter, access.Reporter, access.Reporter,
	access.Viewer, access.Viewer, access.Viewer,
	access.UnitLeader, access.Coordinator, access.Inspector,
}

var languages = []string{"", "", "zh-Hans", "zh-Hant", "en"}

// insertUsers adds users from..to-1 in tx with the accounts service's SQL.
func insertUsers(ctx context.Context, tx *sql.Tx, unitIDs []int64, hash string, from, to int) error {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO users (login, name, email, unit_id, password_hash, language, disabled, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING id`)
	if err != nil {
		return err
	}
	defer ins.Close()
	role, err := tx.PrepareContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1,$2)`)
	if err != nil {
		return err
	}
	defer role.Close()
	for i := from; i < to; i++ {
		now := db.Now()
		u := accounts.User{
			Login:     fmt.Sprintf("user%05d", i+1),
			Name:      fmt.Sprintf("用户%05d", i+1),
			Email:     fmt.Sprintf("user%05d@example.org", i+1),
			UnitID:    unitIDs[i%len(unitIDs)],
			Language:  languages[i%len(languages)],
			Roles:     []access.Role{roleMix[i%len(roleMix)]},
			Version:   1,
			CreatedAt: now,
			UpdatedAt: now,
		}
		if err := ins.QueryRowContext(ctx, u.Login, u.Name, u.Email, u.UnitID, hash, u.Language, false, now).Scan(&u.ID); err != nil {
			return err
		}
		if _, err := role.ExecContext(ctx, u.ID, u.Roles[0]); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Change{Action: "user.create", ObjectType: "user", ObjectID: u.ID, After: u}); err != nil {
			return err
		}
	}
	return nil
}
