package plans

import (
	"context"

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
