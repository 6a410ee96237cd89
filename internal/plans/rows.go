package plans

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"concord/internal/db"
)

// eachRow runs fn on every row of a query.
func eachRow(ctx context.Context, q db.Querier, fn func(db.Scanner) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// insertRows inserts many rows with multi-row VALUES lists, a few hundred
// at a time: one round trip per batch instead of per row. tuple is one
// row's placeholders written with %d verbs numbered from 1.
func insertRows(ctx context.Context, tx *sql.Tx, head, tuple string, rows [][]any) error {
	const batch = 200
	for len(rows) > 0 {
		n := min(batch, len(rows))
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, n*len(rows[0]))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			nums := make([]any, len(r))
			for j := range r {
				nums[j] = len(args) + j + 1
			}
			fmt.Fprintf(&b, tuple, nums...)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
