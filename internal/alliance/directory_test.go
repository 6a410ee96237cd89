package alliance_test

import (
	"testing"

	"concord/internal/alliance"
	"concord/internal/db"
	"concord/internal/dbtest"
)

// TestDirectory: the kept directory is handed out again while nothing
// changed, and read anew after a change through the service or straight in
// the database (another instance's write).
func TestDirectory(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &alliance.Service{DB: d}
		u := createUnit(t, s, "dalian", nil)
		first, err := s.Directory(sys)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := s.Directory(sys); again != first {
			t.Error("an unchanged directory was read again")
		}
		in := input(u)
		in.Name.ZhHans = "大连市"
		if _, err := s.UpdateUnit(sys, u.ID, in, u.Version); err != nil {
			t.Fatal(err)
		}
		second, err := s.Directory(sys)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := second.Unit(u.ID); !ok || got.Name.ZhHans != "大连市" {
			t.Errorf("after a rename: %+v", got)
		}
		if _, err := d.W.Exec(`UPDATE units SET active = FALSE WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		third, err := s.Directory(sys)
		if err != nil {
			t.Fatal(err)
		}
		if len(third.ActiveUnits) != 0 || len(third.Units) != 1 {
			t.Errorf("after retiring the unit elsewhere: %d active of %d", len(third.ActiveUnits), len(third.Units))
		}
		if got, ok := third.UnitByCode("dalian"); !ok || got.ID != u.ID {
			t.Errorf("by code: %+v %v", got, ok)
		}
	})
}
