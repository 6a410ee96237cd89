package accounts_test

import (
	"context"
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
)

func TestPurgeSessions(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		count := func() int {
			var n int
			if err := d.R.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if _, err := f.s.Login(ctx, "sec", pw); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(f.settings.SessionIdle - time.Minute)
		if _, err := f.s.Login(ctx, "sys", pw); err != nil {
			t.Fatal(err)
		}
		if n, err := f.s.PurgeSessions(ctx); err != nil || n != 0 || count() != 2 {
			t.Fatalf("nothing expired yet: purged %d (%v), %d left", n, err, count())
		}
		f.clock.Add(2 * time.Minute) // the first session is now idle too long
		if n, err := f.s.PurgeSessions(ctx); err != nil || n != 1 || count() != 1 {
			t.Fatalf("purged %d (%v), %d left; want 1 purged, 1 left", n, err, count())
		}
	})
}
