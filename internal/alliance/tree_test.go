package alliance_test

import (
	"context"
	"sync"
	"testing"

	"concord/internal/access"
	"concord/internal/alliance"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
)

// TestConcurrentReparentingMakesNoCycle: A under B and B under A, submitted
// at the same moment, must not both succeed.
func TestConcurrentReparentingMakesNoCycle(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &alliance.Service{DB: d}
		ctx := access.WithActor(context.Background(), &access.Actor{UserID: 1, Login: "sys", Roles: []access.Role{access.SysAdmin}})
		for round := 0; round < 10; round++ {
			a, err := s.CreateUnit(ctx, alliance.UnitInput{Code: "a" + string(rune('0'+round)), Name: alliance.Names{ZhHans: "甲"}, Kind: alliance.City})
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.CreateUnit(ctx, alliance.UnitInput{Code: "b" + string(rune('0'+round)), Name: alliance.Names{ZhHans: "乙"}, Kind: alliance.City})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			results := make([]error, 2)
			for i, pair := range [][2]alliance.Unit{{a, b}, {b, a}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					child, parent := pair[0], pair[1]
					_, results[i] = s.UpdateUnit(ctx, child.ID, alliance.UnitInput{Code: child.Code, Name: child.Name, Kind: child.Kind, ParentID: &parent.ID}, child.Version)
				}()
			}
			wg.Wait()
			ok := 0
			for _, err := range results {
				if err == nil {
					ok++
				} else if !errs.Is(err, errs.Invalid) {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d of 2 re-parentings succeeded, want exactly 1 (%v)", round, ok, results)
			}
		}
	})
}
