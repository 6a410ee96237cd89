package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"concord/internal/alliance"
	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/scores"
)

// checkSupervision checks the sample quarter's scorecard with its one
// appeal, upheld in a revision that names it, and the bulletin generated
// for the quarter, published with the office's good-practice notes and the
// revised ranking.
func checkSupervision(t *testing.T, d *db.DB, now time.Time, as context.Context) {
	t.Helper()
	sc := &scores.Service{DB: d, Clock: clock.NewFake(now)}
	cards, err := sc.Scorecards(as)
	if err != nil || len(cards) != 1 {
		t.Fatalf("scorecards: %+v, %v", cards, err)
	}
	c := cards[0]
	if c.Status != scores.Published || c.Revision != 2 || c.PeriodKind != scores.Quarter || !c.EndsOn.Before(clock.DayOf(now)) {
		t.Errorf("scorecard: %+v", c)
	}
	appeals, err := sc.Appeals(as, c.ID)
	if err != nil || len(appeals) != 1 {
		t.Fatalf("appeals: %+v, %v", appeals, err)
	}
	a := appeals[0]
	if a.Status != scores.Upheld || a.Reason == "" || a.Ruling == "" || a.RuledBy != "coordinator" || a.Points == nil || *a.Points != 7 {
		t.Errorf("appeal: %+v", a)
	}
	revs, err := sc.Revisions(as, c.ID)
	if err != nil || len(revs) != 2 || revs[1].AppealID == nil || *revs[1].AppealID != a.ID {
		t.Errorf("revisions: %+v, %v", revs, err)
	}
	_, cardsByUnit, err := sc.Results(as, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range cardsByUnit {
		if u.UnitID == a.UnitID {
			if s := u.Scores[a.Position-1]; s.AppealID == nil || s.Points != 7 {
				t.Errorf("the appealed item after the ruling: %+v", s)
			}
		}
	}

	bs := &bulletin.Service{DB: d, Clock: clock.NewFake(now), Alliance: &alliance.Service{DB: d}, Providers: []bulletin.SectionProvider{sc}}
	list, err := bs.Bulletins(as)
	if err != nil || len(list) != 1 {
		t.Fatalf("bulletins: %+v, %v", list, err)
	}
	b, doc, err := bs.Document(as, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != bulletin.Published || b.IssuedOn == nil || b.PeriodFrom != c.StartsOn || b.PeriodTo != c.EndsOn || len(strings.Split(b.Notes, "\n")) != 3 {
		t.Errorf("bulletin: %+v", b)
	}
	var text strings.Builder
	for _, s := range doc.Sections {
		text.WriteString(s.Title + "\n" + strings.Join(s.Paragraphs, "\n") + "\n")
		if s.Table != nil {
			for _, r := range s.Table.Rows {
				text.WriteString(strings.Join(r, " ") + "\n")
			}
		}
	}
	for _, want := range []string{"大连市建立临港产业项目周调度", c.Title, "葫芦岛市"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the bulletin lacks %q:\n%s", want, text.String())
		}
	}
}
