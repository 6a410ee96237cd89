package db

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

// ErrSchemaBehind means the store needs `concord migrate` (or --migrate).
var ErrSchemaBehind = errors.New("the database schema is behind this version of Concord: run `concord migrate up` or start with --migrate")

func (d *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(d.Engine))
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	dialect := goose.DialectSQLite3
	if d.Engine == Postgres {
		dialect = goose.DialectPostgres
		// Several instances may start at once: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, d.W, sub, opts...)
}

// MigrationStatus is one migration and whether it has been applied.
type MigrationStatus struct {
	Version int64
	Source  string
	Applied bool
}

// Migrate applies every pending migration.
func (d *DB) Migrate(ctx context.Context) error {
	p, err := d.provider()
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// MigrateDownTo rolls the schema back to version, running each later
// migration's Down section, newest first. Data kept only by those
// migrations is lost; it is for undoing an upgrade, after a backup.
func (d *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := d.provider()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

// Status lists the migrations and whether each is applied.
func (d *DB) Status(ctx context.Context) ([]MigrationStatus, error) {
	p, err := d.provider()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationStatus, len(st))
	for i, s := range st {
		out[i] = MigrationStatus{Version: s.Source.Version, Source: s.Source.Path, Applied: s.State == goose.StateApplied}
	}
	return out, nil
}

// CheckSchema returns ErrSchemaBehind when migrations are pending.
func (d *DB) CheckSchema(ctx context.Context) error {
	p, err := d.provider()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if pending {
		return ErrSchemaBehind
	}
	return nil
}
