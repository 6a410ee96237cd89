package wateraccount_test

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"

	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/sheet/sheettest"
	"concord/internal/testworld"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestBrief: the brief of April 2026 after the loop ran January to April,
// on both engines against one golden text and one golden workbook; and the
// year's compensation with the surcharge once its due date has passed.
func TestBrief(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		// The bulletin's water section: none for a period without readings
		// or open items; the months of the period otherwise.
		if secs, err := f.S.BulletinSections(f.Viewer, bulletin.Scope{From: clock.DateOf(2025, 1, 1), To: clock.DateOf(2025, 3, 31), Lang: "zh-Hans"}); err != nil || secs != nil {
			t.Errorf("an empty period has a water section: %v %+v", err, secs)
		}
		for _, m := range []int{202601, 202602, 202603, 202604} {
			f.run(t, m)
		}
		if _, err := f.S.Brief(f.Leader[f.A.ID], 202604, "zh-Hans"); err != nil {
			t.Errorf("a unit leader reads the brief: %v", err)
		}
		b, err := f.S.Brief(f.Viewer, 202604, "zh-Hans")
		if err != nil {
			t.Fatal(err)
		}
		if b.Assessed != 1 || b.Compliant != 0 || len(b.Off) != 1 || b.Off[0].City != "dalian" || len(b.Rectifications) != 2 {
			t.Fatalf("brief %+v", b)
		}
		// January 1,000,000 + February 2,000,000 + 150,000 + April 1,000,000.
		if len(b.Payments) != 1 || b.Payments[0].Amount != 4_150_000 || b.Payments[0].Owed != 4_150_000 || b.Payments[0].Late ||
			b.Payments[0].Due.String() != "2027-03-31" {
			t.Fatalf("payments %+v", b.Payments)
		}
		if b.Trend[11].Month != "2026-04" || b.Trend[9].Share != 0 || b.Trend[10].Share != 100 || b.Trend[0].Assessed != 0 {
			t.Errorf("trend %+v", b.Trend)
		}
		secs, err := f.S.BulletinSections(f.Viewer, bulletin.Scope{From: clock.DateOf(2026, 1, 1), To: clock.DateOf(2026, 3, 31), Lang: "zh-Hans"})
		if err != nil || len(secs) != 1 || len(secs[0].Table.Rows) != 3 || strings.Join(secs[0].Table.Rows[0], " ") != "2026-01 2 1 1" ||
			!strings.Contains(secs[0].Paragraphs[0], "2 项") {
			t.Errorf("bulletin section: %v %+v", err, secs)
		}
		text, err := b.Document.Text()
		if err != nil {
			t.Fatal(err)
		}
		testworld.Golden(t, "brief.golden", text, *update)
		var x bytes.Buffer
		if err := b.Document.XLSX(&x); err != nil {
			t.Fatal(err)
		}
		testworld.Golden(t, "brief-xlsx.golden", sheettest.Cells(t, x.Bytes()), *update)

		// 1 April 2027 (China time): the 2026 total is past due, 10% more.
		f.Clock.Set(time.Date(2027, 3, 31, 16, 0, 0, 0, time.UTC))
		b, err = f.S.Brief(f.Viewer, 202703, "en")
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Payments) != 1 || b.Payments[0].Year != 2026 || b.Payments[0].Owed != 4_565_000 || !b.Payments[0].Late {
			t.Fatalf("payments past due %+v", b.Payments)
		}
		f.Clock.Set(time.Date(2027, 3, 31, 15, 59, 0, 0, time.UTC))
		if b, _ = f.S.Brief(f.Viewer, 202703, "en"); b.Payments[0].Owed != 4_150_000 || b.Payments[0].Late {
			t.Errorf("on the last day %+v", b.Payments)
		}
	})
}
