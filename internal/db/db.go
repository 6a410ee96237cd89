// Package db opens Concord's store (embedded SQLite or PostgreSQL), runs its
// migrations and hands out transactions. It knows nothing about the domain.
package db

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver
	_ "modernc.org/sqlite"           // pure-Go SQLite driver
)

// Engine names the database engine behind a DB.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// MinSQLite is the oldest SQLite Concord runs on: older releases carry a WAL
// bug that can corrupt the file under concurrent write and checkpoint.
const MinSQLite = "3.51.3"

// DB is a store. SQLite gets one writer connection (writes never contend for
// the lock) and a read pool; PostgreSQL uses one pool for both.
type DB struct {
	Engine Engine
	W      *sql.DB // writes and read-your-write transactions
	R      *sql.DB // reads
	dsn    string
}

// Open opens the store named by url: "postgres://…" or "postgresql://…" for
// PostgreSQL, "sqlite:PATH" or a plain file path for SQLite.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	if rawURL == "" {
		return nil, errors.New("no database given")
	}
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		return openPostgres(ctx, rawURL)
	}
	return openSQLite(ctx, strings.TrimPrefix(rawURL, "sqlite:"))
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(10)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return &DB{Engine: Postgres, W: pool, R: pool, dsn: dsn}, nil
}

func sqliteDSN(path string, write bool) string {
	// busy_timeout must come before journal_mode so that switching to WAL
	// waits for a lock instead of failing.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	if write {
		q.Add("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	w, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	var version string
	if err := w.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&version); err != nil {
		w.Close()
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	if CompareVersions(version, MinSQLite) < 0 {
		w.Close()
		return nil, fmt.Errorf("SQLite %s is older than %s, which Concord requires", version, MinSQLite)
	}
	r, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{Engine: SQLite, W: w, R: r, dsn: path}, nil
}

// CompareVersions compares dotted numeric versions: -1, 0 or 1.
func CompareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			fmt.Sscanf(as[i], "%d", &x)
		}
		if i < len(bs) {
			fmt.Sscanf(bs[i], "%d", &y)
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Close closes both pools.
func (d *DB) Close() error {
	err := d.W.Close()
	if d.R != d.W {
		if e := d.R.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Path is the SQLite file path; empty for PostgreSQL.
func (d *DB) Path() string {
	if d.Engine == SQLite {
		return d.dsn
	}
	return ""
}

// Ping checks both pools answer.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.W.PingContext(ctx); err != nil {
		return err
	}
	return d.R.PingContext(ctx)
}

// Querier is what both *sql.DB and *sql.Tx offer for queries.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx runs fn in a write transaction, committing if fn returns nil and rolling
// back otherwise, so that a failed change leaves nothing half-written.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	return run(tx, fn)
}

// ConnTx is Tx with the transaction's connection as well, for what the
// driver offers beyond database/sql inside the transaction (CopyFrom).
func (d *DB) ConnTx(ctx context.Context, fn func(conn *sql.Conn, tx *sql.Tx) error) error {
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	return run(tx, func(tx *sql.Tx) error { return fn(conn, tx) })
}

// CopyText writes data, rows in COPY's text format (tab-separated,
// newline-ended, escaped by the caller), into target ("table (columns)")
// with PostgreSQL's COPY protocol, inside whatever transaction conn is in:
// the bulk path, several times the rate of multi-row INSERTs, and with
// nothing encoded value by value on either side.
func CopyText(ctx context.Context, conn *sql.Conn, target string, data []byte) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs PostgreSQL's driver, not %T", dc)
		}
		_, err := c.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data), "COPY "+target+" FROM STDIN")
		return err
	})
}

// run runs fn in tx, committing if fn returns nil and rolling back
// otherwise.
func run(tx *sql.Tx, fn func(tx *sql.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
			return
		}
		err = tx.Commit()
	}()
	return fn(tx)
}

// Backup writes an online, consistent copy of a SQLite store to path.
func (d *DB) Backup(ctx context.Context, path string) error {
	if d.Engine != SQLite {
		return errors.New("online backup is for SQLite; for PostgreSQL use pg_dump")
	}
	_, err := d.W.ExecContext(ctx, "VACUUM INTO $1", path)
	return err
}

// Now is the store's clock, truncated so both engines keep the same value.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Contains is a LIKE pattern matching text anywhere, with LIKE's wildcards
// taken literally and in lower case; use it as `lower(col) LIKE $n ESCAPE '\'`
// so both engines match the same rows regardless of case.
func Contains(text string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(text)) + "%"
}

// Scanner is what a row offers: *sql.Row and *sql.Rows both have it.
type Scanner interface{ Scan(dest ...any) error }

// All runs a query and scans every row with scan; an empty result is an
// empty, non-nil slice (so it encodes as [] rather than null).
func All[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Serialize makes write transactions that name the same resource run one
// after another, for rules that span rows (such as "the unit tree has no
// cycle"). SQLite writes are already serial through the one writer; on
// PostgreSQL it takes a transaction-scoped advisory lock.
func (d *DB) Serialize(ctx context.Context, tx *sql.Tx, resource string) error {
	if d.Engine != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, resource)
	return err
}

// InsertRows inserts many rows with multi-row VALUES lists, some hundred
// at a time: one round trip per batch instead of per row. tuple is one
// row's placeholders written with %d verbs numbered from 1.
func InsertRows(ctx context.Context, q Querier, head, tuple string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	// SQLite looks up each numbered parameter in a list, a cost that grows
	// with the square of a statement's parameters: a few hundred per
	// statement is the sweet spot for both engines.
	width := len(rows[0])
	batch := max(1, 400/width)
	// Full batches share one statement, parsed once: parsing a long VALUES
	// list costs SQLite about as much as running it.
	if p, ok := q.(interface {
		PrepareContext(context.Context, string) (*sql.Stmt, error)
	}); ok && len(rows) >= 2*batch {
		st, err := p.PrepareContext(ctx, valuesSQL(head, tuple, batch, width))
		if err != nil {
			return err
		}
		defer st.Close()
		for len(rows) >= batch {
			if _, err := st.ExecContext(ctx, flatten(rows[:batch], width)...); err != nil {
				return err
			}
			rows = rows[batch:]
		}
	}
	for len(rows) > 0 {
		n := min(batch, len(rows))
		if _, err := q.ExecContext(ctx, valuesSQL(head, tuple, n, width), flatten(rows[:n], width)...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// valuesSQL is head followed by n tuples of width parameters, numbered on.
func valuesSQL(head, tuple string, n, width int) string {
	var b strings.Builder
	b.WriteString(head)
	nums := make([]any, width)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		for j := range nums {
			nums[j] = i*width + j + 1
		}
		fmt.Fprintf(&b, tuple, nums...)
	}
	return b.String()
}

func flatten(rows [][]any, width int) []any {
	args := make([]any, 0, len(rows)*width)
	for _, r := range rows {
		args = append(args, r...)
	}
	return args
}
