package db_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"concord/internal/db"
	"concord/internal/dbtest"
)

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"3.51.3", "3.51.3", 0},
		{"3.51.2", "3.51.3", -1},
		{"3.54.1", "3.51.3", 1},
		{"3.9.0", "3.51.3", -1},
		{"4", "3.51.3", 1},
	} {
		if got := db.CompareVersions(c.a, c.b); got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestMigrationsEmptyToHead(t *testing.T) {
	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			d, err := db.Open(ctx, dbtest.URL(t, e))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if err := d.CheckSchema(ctx); !errors.Is(err, db.ErrSchemaBehind) {
				t.Fatalf("empty store: CheckSchema = %v, want ErrSchemaBehind", err)
			}
			if err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := d.CheckSchema(ctx); err != nil {
				t.Fatalf("after migrate: %v", err)
			}
			st, err := d.Status(ctx)
			if err != nil || len(st) == 0 {
				t.Fatalf("status: %v %v", st, err)
			}
			for _, s := range st {
				if !s.Applied {
					t.Errorf("migration %d not applied", s.Version)
				}
			}
			// The audit trail refuses edits at the store level.
			if _, err := d.W.Exec(`INSERT INTO audit_log (at, action) VALUES ($1, 'x')`, db.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := d.W.Exec(`UPDATE audit_log SET action = 'y'`); err == nil {
				t.Error("audit_log accepted an UPDATE")
			}
			if _, err := d.W.Exec(`DELETE FROM audit_log`); err == nil {
				t.Error("audit_log accepted a DELETE")
			}
		})
	}
}

func TestSQLiteBackup(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t, db.SQLite)
	if _, err := d.W.Exec(`INSERT INTO alliance (id, name_zh_hans, name_zh_hant, name_en, updated_at) VALUES (1,'带','帶','belt',$1)`, db.Now()); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := d.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	c, err := db.Open(ctx, "sqlite:"+out)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var name string
	if err := c.R.QueryRow(`SELECT name_en FROM alliance`).Scan(&name); err != nil || name != "belt" {
		t.Fatalf("backup holds %q, %v", name, err)
	}
}
