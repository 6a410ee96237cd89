package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"concord/internal/bench"
	"concord/internal/clock"
	"concord/internal/db"
)

// storeFlags pick the plans benchmark's stores, which `concord-bench
// plans` and `concord-bench supervision` share: their sizes and engines,
// where they live, and the day their data is as of.
type storeFlags struct {
	sizes, engines, pg, dir, today *string
}

func addStoreFlags(fs *flag.FlagSet, sizes, engines string) storeFlags {
	return storeFlags{
		sizes:   fs.String("sizes", sizes, "reports per store, comma-separated (tasks are a twentieth)"),
		engines: fs.String("engines", engines, "engines, comma-separated: sqlite, postgres"),
		pg: fs.String("pg", envOr("CONCORD_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
			"a PostgreSQL server; the stores are databases concord_bench_SIZE beside it"),
		dir:   fs.String("dir", bench.PlansDir(), "folder of the SQLite stores"),
		today: fs.String("today", "", "the day the generated data is as of, YYYY-MM-DD (default: today)"),
	}
}

// store is one engine and size.
type store struct {
	engine db.Engine
	size   int
}

// pick reads the flags: the day, and the stores, engine by engine.
func (f storeFlags) pick() (clock.Date, []store, error) {
	day := clock.Today(clock.System)
	if *f.today != "" {
		d, err := clock.ParseDate(*f.today)
		if err != nil {
			return day, nil, err
		}
		day = d
	}
	var sizes []int
	for _, s := range strings.Split(*f.sizes, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 1 {
			return day, nil, fmt.Errorf("-sizes: %q", s)
		}
		sizes = append(sizes, v)
	}
	var out []store
	for _, e := range strings.Split(*f.engines, ",") {
		engine := db.Engine(strings.TrimSpace(e))
		if engine != db.SQLite && engine != db.Postgres {
			return day, nil, fmt.Errorf("-engines: %q", e)
		}
		for _, size := range sizes {
			out = append(out, store{engine, size})
		}
	}
	return day, out, os.MkdirAll(*f.dir, 0o755)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
