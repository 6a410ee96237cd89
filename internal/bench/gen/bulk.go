package gen

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"concord/internal/db"
)

// bulkTables are the tables the generator fills by the thousand or million.
const bulkTables = `'tasks', 'assignments', 'reports', 'search_docs', 'task_events', 'chases', 'completions'`

// setAside drops what makes millions of single-row inserts slow and
// returns what puts it back: the secondary indexes of the bulk tables,
// rebuilt from their own definitions by one sorted pass each instead of
// millions of inserts at random places; on SQLite the trigger feeding the
// full-text index, which is then rebuilt in one pass; on PostgreSQL the
// foreign keys, whose per-row checks (a trigger each) cost more than the
// rows themselves, and which are validated by one join each when put back.
// SQLite also skips fsync meanwhile: a crash mid-way spoils a benchmark
// store, nothing else. Unique indexes stay: they are what keys are checked
// against.
func setAside(ctx context.Context, d *db.DB, progress io.Writer) (restore func(context.Context) error, err error) {
	var drops, creates []string
	type object struct{ kind, name, sql string }
	q := `SELECT 'INDEX', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
		AND tablename IN (` + bulkTables + `) AND indexdef NOT LIKE 'CREATE UNIQUE%'
		UNION ALL
		SELECT 'CONSTRAINT', c.conrelid::regclass::text || ' ' || c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
		WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace AND c.conrelid::regclass::text IN (` + bulkTables + `)`
	if d.Engine == db.SQLite {
		q = `SELECT upper(type), name, sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN (` + bulkTables + `)
			AND (type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%' OR type = 'trigger' AND name = 'search_docs_ai')`
	}
	objects, err := db.All(ctx, d.R, func(row db.Scanner) (object, error) {
		var o object
		return o, row.Scan(&o.kind, &o.name, &o.sql)
	}, q)
	if err != nil {
		return nil, err
	}
	for _, o := range objects {
		if o.kind == "CONSTRAINT" {
			table, name, _ := strings.Cut(o.name, " ")
			drops = append(drops, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", table, name))
			creates = append(creates, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", table, name, o.sql))
			continue
		}
		drops = append(drops, fmt.Sprintf("DROP %s %s", o.kind, o.name))
		creates = append(creates, o.sql)
	}
	if d.Engine == db.SQLite {
		drops = append(drops, `PRAGMA synchronous = OFF`)
		creates = append(creates, `INSERT INTO search_fts(search_fts) VALUES ('rebuild')`, `PRAGMA synchronous = NORMAL`)
	}
	for _, s := range drops {
		if _, err := d.W.ExecContext(ctx, s); err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
	}
	if d.Engine == db.Postgres {
		// Index builds sort in memory rather than in many runs on disk.
		creates = append([]string{`SET maintenance_work_mem = '512MB'`}, append(creates, `RESET maintenance_work_mem`)...)
	}
	return func(ctx context.Context) error {
		conn, err := d.W.Conn(ctx) // one session, for the SET
		if err != nil {
			return err
		}
		defer conn.Close()
		for _, s := range creates {
			start := time.Now()
			if _, err := conn.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
			if took := time.Since(start); took > time.Second {
				fmt.Fprintf(progress, "    %.1f s: %.70s\n", took.Seconds(), s)
			}
		}
		return nil
	}, nil
}
