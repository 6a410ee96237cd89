package plans

import (
	"math"

	"concord/internal/clock"
)

// Light is a task's status light.
type Light string

const (
	NotStarted Light = "not_started"
	Green      Light = "green"  // on track
	Yellow     Light = "yellow" // at risk
	Red        Light = "red"    // overdue
	DoneOnTime Light = "done_on_time"
	DoneLate   Light = "done_late"
	Closed     Light = "closed" // verified and closed (销号)
	Cancelled  Light = "cancelled"
)

// Lights lists the lights in display order.
var Lights = []Light{NotStarted, Green, Yellow, Red, DoneOnTime, DoneLate, Closed, Cancelled}

// Verdict is a light with the reason for it, as a catalogue key and its
// arguments, so every task page can say why it has its colour.
type Verdict struct {
	Light Light    `json:"light"`
	Key   string   `json:"reason_key"`
	Args  []string `json:"reason_args"`
}

// lightFacts is what the light of a task depends on.
type lightFacts struct {
	Status      Status
	StartsOn    clock.Date
	DueOn       clock.Date
	CompletedOn clock.Date
	Progress    float64
}

// expected is the share of the task's time elapsed by the end of today, in
// percent: the progress a task on schedule would have reported.
func expected(start, due, today clock.Date) float64 {
	total := start.DaysUntil(due) + 1
	done := start.DaysUntil(today) + 1
	if total <= 0 || done >= total {
		return 100
	}
	if done <= 0 {
		return 0
	}
	return 100 * float64(done) / float64(total)
}

func pct(f float64) string { return formatFloat(math.Round(f)) }

// judge gives a task its light on day today under settings set. The rules,
// in order:
//   - cancelled or merged → cancelled; closed → closed;
//   - completion filed → done on time if filed by the due date, else done late;
//   - before the start date → not started;
//   - after the due date → red (overdue);
//   - reported progress more than BehindPoints below the time-elapsed
//     expectation → yellow;
//   - due within DueSoonDays and below DueSoonPercent → yellow;
//   - otherwise green.
func judge(f lightFacts, today clock.Date, set Settings) Verdict {
	switch f.Status {
	case TaskCancelled, TaskMerged:
		return Verdict{Cancelled, "light.why.cancelled", []string{string(f.Status)}}
	case TaskClosed:
		return Verdict{Closed, "light.why.closed", nil}
	case TaskFiled:
		if f.CompletedOn.After(f.DueOn) {
			return Verdict{DoneLate, "light.why.done_late", []string{f.CompletedOn.String(), f.DueOn.String(), itoa(f.DueOn.DaysUntil(f.CompletedOn))}}
		}
		return Verdict{DoneOnTime, "light.why.done_on_time", []string{f.CompletedOn.String(), f.DueOn.String()}}
	}
	if today.Before(f.StartsOn) {
		return Verdict{NotStarted, "light.why.not_started", []string{f.StartsOn.String()}}
	}
	if today.After(f.DueOn) {
		return Verdict{Red, "light.why.overdue", []string{f.DueOn.String(), itoa(f.DueOn.DaysUntil(today)), pct(f.Progress)}}
	}
	exp := expected(f.StartsOn, f.DueOn, today)
	if gap := exp - f.Progress; gap > set.BehindPoints {
		return Verdict{Yellow, "light.why.behind", []string{pct(f.Progress), pct(exp), pct(gap), formatFloat(set.BehindPoints)}}
	}
	if left := today.DaysUntil(f.DueOn); left <= set.DueSoonDays && f.Progress < set.DueSoonPercent {
		return Verdict{Yellow, "light.why.due_soon", []string{itoa(left), pct(f.Progress), formatFloat(set.DueSoonPercent)}}
	}
	return Verdict{Green, "light.why.on_track", []string{pct(f.Progress), pct(exp)}}
}
