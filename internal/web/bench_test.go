package web_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"concord/internal/bench"
)

// BenchmarkUsersList times the authenticated list read of the performance
// target (GET /api/v1/users?page=K&per_page=50 as a security administrator)
// on SQLite with 300 units and 5,000 users, through the handler `concord
// serve` builds, with GET /healthz through the same handler as the baseline
// measured in the same run. It seeds its own store (about a second), so the
// fixture of harness_test.go, with its ten users, is not used. Run it with
//
//	go test -run '^$' -bench UsersList ./internal/web/
//
// go run ./cmd/concord-bench gives the full report (percentiles, the raw-SQL
// baseline, start-up and memory); see docs/performance.md.
func BenchmarkUsersList(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bench.db")
	if _, err := bench.SeedFile(ctx, path, bench.SeedOptions{Units: 300, Users: 5000}); err != nil {
		b.Fatal(err)
	}
	api, err := bench.OpenAPI(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer api.Close()

	get := func(b *testing.B, path func(i int) string) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, rec := api.Get(path(i)); rec.Code != http.StatusOK {
				b.Fatalf("GET %s: %d %s", path(i), rec.Code, rec.Body)
			}
			i++
		}
	}
	pages := api.Pages()
	b.Run("page", func(b *testing.B) {
		// Pages in a fixed stride, so every run reads the same mix of offsets.
		get(b, func(i int) string { return bench.UsersPath(1 + (i*37)%pages) })
	})
	b.Run("healthz", func(b *testing.B) {
		get(b, func(int) string { return "/healthz" })
	})
}
