// Package dbtest opens fresh, migrated stores for tests: always SQLite, and
// PostgreSQL when CONCORD_TEST_PG names a server. With CONCORD_REQUIRE_PG=1
// (as in CI) a missing PostgreSQL fails the test instead of skipping it.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"concord/internal/db"
)

// Engines runs fn once per available engine, each with a fresh store.
func Engines(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) { fn(t, Open(t, e)) })
	}
}

// PostgresURL is the server tests use, or "" (after failing the test when
// PostgreSQL is required).
func PostgresURL(t testing.TB) string {
	u := os.Getenv("CONCORD_TEST_PG")
	if u == "" {
		if os.Getenv("CONCORD_REQUIRE_PG") == "1" {
			t.Fatal("CONCORD_REQUIRE_PG=1 but CONCORD_TEST_PG is not set")
		}
		t.Skip("PostgreSQL tests skipped: set CONCORD_TEST_PG")
	}
	return u
}

// URL returns a database URL for a new, empty store of engine e; it is
// removed when the test ends.
func URL(t testing.TB, e db.Engine) string {
	t.Helper()
	if e == db.SQLite {
		return filepath.Join(t.TempDir(), "concord.db")
	}
	base := PostgresURL(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := db.Open(context.Background(), base)
	if err != nil {
		t.Fatalf("PostgreSQL at CONCORD_TEST_PG: %v", err)
	}
	if _, err := admin.W.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.W.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a fresh, migrated store of engine e.
func Open(t testing.TB, e db.Engine) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), URL(t, e))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}
