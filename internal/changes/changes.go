// Package changes counts a service's committed writes, so that what is
// kept from its reads (the dashboard's supervision block) can tell that
// it may be stale without asking the database.
package changes

import (
	"context"
	"database/sql"
	"sync/atomic"

	"concord/internal/db"
)

// Counter counts the writes of one service in this process; the zero
// value is ready. Writes by other instances are not seen: whoever keeps
// reads by it bounds their age too.
type Counter struct{ n atomic.Uint64 }

// Tx runs fn in a write transaction of d and counts it once committed.
func (c *Counter) Tx(ctx context.Context, d *db.DB, fn func(*sql.Tx) error) error {
	err := d.Tx(ctx, fn)
	if err == nil {
		c.n.Add(1)
	}
	return err
}

// N is how many writes have been committed.
func (c *Counter) N() uint64 { return c.n.Load() }
