package gen

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"concord/internal/db"
)

// inserter writes rows of one table with multi-row INSERTs: one statement
// (prepared once) per full batch of rows, so a million rows cost a few
// thousand round trips.
type inserter struct {
	ctx   context.Context
	tx    *sql.Tx
	head  string // INSERT INTO t (cols) VALUES
	cols  int
	batch int
	args  []any
	full  *sql.Stmt
	// numbered: $1, $2… placeholders (PostgreSQL). SQLite gets "?": it
	// treats $n as named parameters, and the driver's lookup of each name
	// makes binding a statement of n parameters cost n².
	numbered bool
}

// maxParams keeps a statement under SQLite's limit of 32,766 parameters
// (PostgreSQL's is 65,535).
const maxParams = 30000

func newInserter(ctx context.Context, tx *sql.Tx, engine db.Engine, table string, columns ...string) *inserter {
	return &inserter{ctx: ctx, tx: tx, cols: len(columns), batch: min(1000, maxParams/len(columns)), numbered: engine == db.Postgres,
		head: "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES "}
}

// add queues one row, its values in column order.
func (in *inserter) add(values ...any) error {
	in.args = append(in.args, values...)
	if len(in.args) < in.batch*in.cols {
		return nil
	}
	if in.full == nil {
		var err error
		if in.full, err = in.tx.PrepareContext(in.ctx, in.statement(in.batch)); err != nil {
			return err
		}
	}
	_, err := in.full.ExecContext(in.ctx, in.args...)
	in.args = in.args[:0]
	return err
}

// flush writes the queued rows and releases the prepared statement; the
// inserter cannot be used afterwards.
func (in *inserter) flush() error {
	if in.full != nil {
		defer in.full.Close()
	}
	n := len(in.args) / in.cols
	if n == 0 {
		return nil
	}
	_, err := in.tx.ExecContext(in.ctx, in.statement(n), in.args...)
	return err
}

func (in *inserter) statement(n int) string {
	var b strings.Builder
	b.WriteString(in.head)
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range in.cols {
			if j > 0 {
				b.WriteByte(',')
			}
			if !in.numbered {
				b.WriteByte('?')
				continue
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(p))
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}
