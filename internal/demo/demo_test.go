package demo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/demo"
)

func TestSeed(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		accts := &accounts.Service{DB: d, Settings: accounts.DefaultSettings}
		dir := &alliance.Service{DB: d}
		if st, err := demo.Inspect(ctx, dir); err != nil || st != demo.Empty {
			t.Fatalf("fresh store: %v, %v", st, err)
		}
		now := time.Now()
		logins, err := demo.Seed(ctx, accts, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seeded in %s", time.Since(now).Round(time.Millisecond))
		if st, err := demo.Inspect(ctx, dir); err != nil || st != demo.Seeded {
			t.Fatalf("after seed: %v, %v", st, err)
		}
		if _, err := demo.Seed(ctx, accts, dir); err == nil {
			t.Error("seeding twice succeeded")
		}

		a, err := dir.Get(ctx)
		if err != nil || a.Name != demo.Name {
			t.Errorf("alliance: %+v, %v", a, err)
		}
		units, err := dir.Units(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[alliance.UnitKind]int{}
		byCode := map[string]alliance.Unit{}
		for _, u := range units {
			kinds[u.Kind]++
			byCode[u.Code] = u
			if u.Name.ZhHans == "" || u.Name.ZhHant == "" || u.Name.En == "" || u.Name.En == u.Name.ZhHans {
				t.Errorf("unit %s lacks a name in some language: %+v", u.Code, u.Name)
			}
		}
		if kinds[alliance.City] != 6 || kinds[alliance.Department] != 3 || kinds[alliance.Office] != 1 {
			t.Errorf("unit kinds: %v", kinds)
		}
		if p := byCode["belt-office"].ParentID; p == nil || *p != byCode["ln-drc"].ID {
			t.Errorf("the office is not under the development and reform commission: %v", p)
		}
		if p := byCode["dalian-eco"].ParentID; p == nil || *p != byCode["dalian"].ID {
			t.Errorf("the Dalian bureau is not under Dalian: %v", p)
		}
		areas, err := dir.Areas(ctx)
		if err != nil || len(areas) != len(alliance.DefaultAreas) {
			t.Errorf("areas: %d, %v", len(areas), err)
		}

		// Every role has a sign-in that works, in the unit it claims.
		seen := map[access.Role]bool{}
		for _, l := range logins {
			s, err := accts.Login(ctx, l.Login, l.Password)
			if err != nil {
				t.Errorf("login %s: %v", l.Login, err)
				continue
			}
			if !slices.Equal(s.User.Roles, []access.Role{access.Role(l.Role)}) || s.User.UnitID != byCode[l.Unit].ID {
				t.Errorf("login %s: roles %v unit %d, printed %s %s", l.Login, s.User.Roles, s.User.UnitID, l.Role, l.Unit)
			}
			seen[access.Role(l.Role)] = true
		}
		for _, r := range access.Roles {
			if !seen[r] {
				t.Errorf("no sample login for role %s", r)
			}
		}
		for _, city := range []string{"dalian", "yingkou"} {
			n := 0
			for _, l := range logins {
				if l.Unit == city && (l.Role == string(access.UnitLeader) || l.Role == string(access.Reporter)) {
					n++
				}
			}
			if n != 2 {
				t.Errorf("%s has %d of its leader and reporter", city, n)
			}
		}

		checkWater(t, d, now)

		// The seed is on the record, done by "system".
		entries, _, err := (&audit.Store{DB: d}).Search(ctx, audit.Filter{Action: "demo.seed"}, 10, 0)
		if err != nil || len(entries) != 1 || entries[0].ActorLogin != "system" {
			t.Errorf("demo.seed entries: %+v, %v", entries, err)
		}
	})
}
