package plans_test

import (
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/plans"
)

// TestEvidenceWithItsStep: files given with a report or a completion report
// are stored in the same transaction, and a refused file leaves the step
// undone with nothing stored.
func TestEvidenceWithItsStep(t *testing.T) {
	pdf := plans.File{Name: "验收报告.pdf", Data: []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n")}
	fake := plans.File{Name: "伪装.pdf", Data: []byte("not a pdf at all")}
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		task := w.task("T-1")
		w.Clock.Set(time.Date(2026, 4, 3, 10, 0, 0, 0, time.UTC))
		r := w.report(task.ID, w.A.ID)
		ctx := w.Reporter[w.A.ID]

		in := filled(40)
		in.Files = []plans.File{pdf, fake}
		if _, err := w.Plans.SubmitReport(ctx, r.ID, in, r.Version); !errs.Is(err, errs.Unsupported) {
			t.Fatalf("a report with a file posing as PDF: %v", err)
		}
		if got, _ := w.Plans.Report(w.Coord, r.ID); got.State != plans.Pending {
			t.Errorf("the refused submission changed the report: %s", got.State)
		}
		if files, _ := w.Plans.Attachments(w.Coord, "report", r.ID); len(files) != 0 {
			t.Errorf("%d files kept from a refused submission", len(files))
		}
		in.Files = []plans.File{pdf}
		if _, err := w.Plans.SubmitReport(ctx, r.ID, in, r.Version); err != nil {
			t.Fatal(err)
		}
		if files, _ := w.Plans.Attachments(w.Coord, "report", r.ID); len(files) != 1 || files[0].Name != pdf.Name {
			t.Errorf("report evidence: %+v", files)
		}

		lead := w.Leader[w.A.ID]
		cur, _ := w.Plans.Task(w.Coord, task.ID)
		if _, _, err := w.Plans.FileCompletion(lead, task.ID, "已完成", cur.Version, fake); !errs.Is(err, errs.Unsupported) {
			t.Fatalf("a completion report with a file posing as PDF: %v", err)
		}
		if got, _ := w.Plans.Task(w.Coord, task.ID); got.Status != plans.TaskActive {
			t.Errorf("the refused completion report was filed: %s", got.Status)
		}
		_, c, err := w.Plans.FileCompletion(lead, task.ID, "已完成", cur.Version, pdf)
		if err != nil {
			t.Fatal(err)
		}
		if files, _ := w.Plans.Attachments(w.Coord, "completion", c.ID); len(files) != 1 {
			t.Errorf("completion evidence: %+v", files)
		}
	})
}
