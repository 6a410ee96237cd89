package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"concord/internal/access"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/i18n"
	"concord/internal/inspect"
	"concord/internal/meetings"
	"concord/internal/plans"
	"concord/internal/problems"
	"concord/internal/scores"
)

// The supervision benchmark's targets (issue 4): the brief and the bulletin
// under 3 s each on the national-scale store, a year's scorecard of 300
// units under 2 s.
const (
	BriefTarget     = 3 * time.Second
	BulletinTarget  = 3 * time.Second
	ScorecardTarget = 2 * time.Second
)

// Supervision meetings the benchmark adds to a plans store: SupMeetings
// earlier meetings of SupDecisions decisions each, every decision turned
// into a task of the standing meeting-decisions plan.
const (
	SupMeetings  = 20
	SupDecisions = 25
	supMarker    = "bench.supervision"
	supNext      = "基准：下一次联席会议"
	supCard      = "基准：一年考核"
	supBulletin  = "基准：督查通报"
)

// SupervisionStore is a plans store with what the supervision benchmark
// reads added: the meetings and decisions, the meeting the brief is for, a
// draft scorecard of the last 365 days and a draft bulletin of the last 91.
type SupervisionStore struct {
	Plans     PlanStore `json:"plans"`
	Decisions int       `json:"decisions"`
	Units     int       `json:"units_scored"`
	SeedSecs  float64   `json:"seed_secs"` // adding them; 0 when reused
	Meeting   int64     `json:"-"`
	Scorecard int64     `json:"-"`
	Bulletin  int64     `json:"-"`
}

// supervisionServices are the services the benchmark calls, wired as the
// application wires them.
type supervisionServices struct {
	plans     *plans.Service
	meetings  *meetings.Service
	scores    *scores.Service
	bulletins *bulletin.Service
	sections  []meetings.SectionProvider
}

func newSupervisionServices(d *db.DB) supervisionServices {
	p := &plans.Service{DB: d, Clock: clock.System}
	sc := &scores.Service{DB: d, Clock: clock.System}
	return supervisionServices{plans: p, meetings: &meetings.Service{DB: d, Clock: clock.System, Plans: p}, scores: sc,
		bulletins: &bulletin.Service{DB: d, Clock: clock.System, Alliance: &alliance.Service{DB: d}, Providers: []bulletin.SectionProvider{sc}},
		sections:  []meetings.SectionProvider{&inspect.Service{DB: d, Clock: clock.System, Plans: p}, &problems.Service{DB: d, Clock: clock.System, Plans: p}}}
}

// coordinator is the plans store's coordinator, as an actor.
func coordinator(ctx context.Context, d *db.DB) (context.Context, error) {
	a := access.Actor{Login: PlansLogin, Roles: []access.Role{access.Coordinator}}
	if err := d.R.QueryRowContext(ctx, `SELECT id, unit_id FROM users WHERE login = $1`, PlansLogin).Scan(&a.UserID, &a.UnitID); err != nil {
		return nil, fmt.Errorf("the plans store's coordinator %s: %w", PlansLogin, err)
	}
	return access.WithActor(ctx, &a), nil
}

// OpenSupervisionStore adds the supervision records to the plans store s
// through the services, once: a store that has them is reused.
func OpenSupervisionStore(ctx context.Context, s PlanStore, today clock.Date, progress io.Writer) (SupervisionStore, error) {
	out := SupervisionStore{Plans: s}
	d, err := db.Open(ctx, s.URL)
	if err != nil {
		return out, err
	}
	defer d.Close()
	as, err := coordinator(ctx, d)
	if err != nil {
		return out, err
	}
	var n int
	if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = $1`, supMarker).Scan(&n); err != nil {
		return out, err
	}
	if n == 0 {
		fmt.Fprintf(progress, "adding %d meetings of %d decisions, a scorecard and a bulletin …\n", SupMeetings, SupDecisions)
		start := time.Now()
		if err := seedSupervision(as, d, today); err != nil {
			return out, err
		}
		out.SeedSecs = time.Since(start).Round(100 * time.Millisecond).Seconds()
	}
	for _, q := range []struct {
		query string
		into  *int64
	}{
		{`SELECT max(id) FROM meetings WHERE title = $1`, &out.Meeting},
		{`SELECT max(id) FROM scorecards WHERE title = $1`, &out.Scorecard},
		{`SELECT max(id) FROM bulletins WHERE title = $1`, &out.Bulletin},
	} {
		title := map[*int64]string{&out.Meeting: supNext, &out.Scorecard: supCard, &out.Bulletin: supBulletin}[q.into]
		var id sql.NullInt64
		if err := d.R.QueryRowContext(ctx, q.query, title).Scan(&id); err != nil || !id.Valid {
			return out, fmt.Errorf("the benchmark's %q: %v", title, err)
		}
		*q.into = id.Int64
	}
	err = d.R.QueryRowContext(ctx, `SELECT count(*) FROM decisions`).Scan(&out.Decisions)
	if err == nil {
		err = d.R.QueryRowContext(ctx, `SELECT count(*) FROM units WHERE active`).Scan(&out.Units)
	}
	return out, err
}

// seedSupervision adds the meetings, decisions and their tasks, the next
// meeting, a scoring model with a draft scorecard and a draft bulletin.
func seedSupervision(as context.Context, d *db.DB, today clock.Date) error {
	svc := newSupervisionServices(d)
	ids := func(query string) ([]int64, error) {
		return db.All(as, d.R, func(row db.Scanner) (int64, error) {
			var id int64
			return id, row.Scan(&id)
		}, query)
	}
	units, err := ids(`SELECT id FROM units WHERE active ORDER BY id`)
	if err != nil {
		return err
	}
	areas, err := ids(`SELECT id FROM areas ORDER BY id`)
	if err != nil || len(units) == 0 || len(areas) == 0 {
		return errors.Join(err, errors.New("the plans store has no units or areas"))
	}
	first := today.AddDays(-14 * SupMeetings)
	for i := range SupMeetings {
		m, err := svc.meetings.CreateMeeting(as, meetings.Input{Kind: meetings.KindLeaders, Title: fmt.Sprintf("基准：第%d次联席会议", i+1),
			HeldOn: first.AddDays(14 * i), HostUnitID: units[i%len(units)], Agenda: []meetings.AgendaItem{{Title: "研究部署下一步工作"}}})
		if err != nil {
			return err
		}
		if m, err = svc.meetings.SetStatus(as, m.ID, meetings.Held, m.Version); err != nil {
			return err
		}
		for j := range SupDecisions {
			k := i*SupDecisions + j
			dec, err := svc.meetings.SaveDecision(as, m.ID, 0, meetings.DecisionInput{AgendaItemID: m.Agenda[0].ID, Text: fmt.Sprintf("基准议定事项 %d-%d", i+1, j+1),
				AreaID: areas[k%len(areas)], LeadUnitID: units[k%len(units)], DueOn: m.HeldOn.AddDays(30 + 7*(k%40))}, 0)
			if err != nil {
				return err
			}
			if _, err := svc.meetings.AssignTask(as, dec.ID, meetings.TaskSpec{}); err != nil {
				return err
			}
		}
	}
	if _, err := svc.meetings.CreateMeeting(as, meetings.Input{Kind: meetings.KindLeaders, Title: supNext, HeldOn: today.AddDays(7), HostUnitID: units[0]}); err != nil {
		return err
	}
	model, err := svc.scores.CreateModel(as, scores.ModelInput{Name: "基准考核模型", Total: 100, AppealDays: 7, Items: []scores.Item{
		{Kind: scores.TaskOnTime, Label: "任务按期完成", Weight: 30, Cap: 30},
		{Kind: scores.ReportOnTime, Label: "报送及时", Weight: 15, Cap: 10},
		{Kind: scores.ReportComplete, Label: "报送完整", Weight: 10, Cap: 10},
		{Kind: scores.ReportReturned, Label: "退回率", Weight: 10, Cap: 10},
		{Kind: scores.RectificationOnTime, Label: "整改按期", Weight: 15, Cap: 15},
		{Kind: scores.ProblemOnTime, Label: "问题解决", Weight: 10, Cap: 10},
		{Kind: scores.Manual, Label: "领导评价", Weight: 10, Cap: 5},
	}})
	if err != nil {
		return err
	}
	if _, err := svc.scores.CreateScorecard(as, scores.ScorecardInput{ModelID: model.ID, Title: supCard, PeriodKind: scores.Custom,
		StartsOn: today.AddDays(-364), EndsOn: today}); err != nil {
		return err
	}
	if _, err := svc.bulletins.Create(as, bulletin.Input{Title: supBulletin, Issuer: "协调办公室", Lang: i18n.Default,
		PeriodFrom: today.AddDays(-91), PeriodTo: today}); err != nil {
		return err
	}
	return d.Tx(as, func(tx *sql.Tx) error {
		return audit.Record(as, tx, audit.Change{Action: supMarker, ObjectType: "alliance", ObjectID: 1, Detail: "concord-bench supervision"})
	})
}

// SupervisionRun is what one store measured: each kind timed Reps times
// one after another, after one unmeasured round.
type SupervisionRun struct {
	Store SupervisionStore `json:"store"`
	Reps  int              `json:"reps"`
	Calls []Call           `json:"calls"` // the last is the baseline
}

// Call is the timings of one service call.
type Call struct {
	Name  string        `json:"name"`
	Stats Stats         `json:"stats"`
	First time.Duration `json:"first_ns"` // the unmeasured first round: cold file cache
	// OverBaseline is this call's median ÷ the baseline's median.
	OverBaseline float64 `json:"median_over_baseline"`
}

// MeasureSupervision times the meeting brief (gathered and written as its
// page), the bulletin's document generated from live data (and written as
// its page), and the year's draft scorecard of every unit, beside a
// `SELECT count(*) FROM reports` through the same pool.
func MeasureSupervision(ctx context.Context, s SupervisionStore, reps int) (SupervisionRun, error) {
	run := SupervisionRun{Store: s, Reps: reps}
	d, err := db.Open(ctx, s.Plans.URL)
	if err != nil {
		return run, err
	}
	defer d.Close()
	as, err := coordinator(ctx, d)
	if err != nil {
		return run, err
	}
	// Every call gets new services: no dashboard or directory cached from
	// the round before (a server keeps them up to 10 s), so each time is
	// the cost from the store.
	fresh := func() supervisionServices { return newSupervisionServices(d) }
	tr := func(key string, args ...any) string { return i18n.T(i18n.Default, key, args...) }
	run.Calls = []Call{{Name: "meeting brief (gathered, written as its page)"}, {Name: "bulletin document (generated, written as its page)"},
		{Name: "scorecard of every unit over 365 days (draft, computed live)"}, {Name: "baseline: SELECT count(*) FROM reports"}}
	calls := []func() error{
		func() error {
			svc := fresh()
			b, err := svc.meetings.Brief(as, s.Meeting, i18n.Default, svc.sections...)
			if err == nil && len(b.Decisions) < SupMeetings*SupDecisions {
				err = fmt.Errorf("the brief has %d decisions", len(b.Decisions))
			}
			if err != nil {
				return err
			}
			return b.Page(io.Discard, tr)
		},
		func() error {
			_, doc, err := fresh().bulletins.Document(as, s.Bulletin)
			if err != nil {
				return err
			}
			return doc.HTML(io.Discard)
		},
		func() error {
			_, cards, err := fresh().scores.Results(as, s.Scorecard)
			if err == nil && len(cards) < s.Units {
				err = fmt.Errorf("the scorecard has %d of %d units", len(cards), s.Units)
			}
			return err
		},
		func() error { var n int; return d.R.QueryRowContext(ctx, `SELECT count(*) FROM reports`).Scan(&n) },
	}
	times := make([][]time.Duration, len(calls))
	for round := range reps + 1 {
		for k, call := range calls {
			start := time.Now()
			if err := call(); err != nil {
				return run, fmt.Errorf("%s: %w", run.Calls[k].Name, err)
			}
			if took := time.Since(start); round > 0 {
				times[k] = append(times[k], took)
			} else {
				run.Calls[k].First = took
			}
		}
	}
	for k := range run.Calls {
		run.Calls[k].Stats = Summarize(times[k])
	}
	base := run.Calls[len(run.Calls)-1].Stats.Median
	for k := range run.Calls {
		if base > 0 {
			run.Calls[k].OverBaseline = float64(run.Calls[k].Stats.Median) / float64(base)
		}
	}
	return run, nil
}

// SupervisionReport is a `concord-bench supervision` run.
type SupervisionReport struct {
	Machine Machine          `json:"machine"`
	Today   string           `json:"today"`
	Runs    []SupervisionRun `json:"runs"`
	Outcome
}

// Evaluate holds the largest store of each engine to the targets, by the
// median of the repetitions (the slowest is reported beside it).
func (r *SupervisionReport) Evaluate() {
	r.Targets = nil
	largest := map[db.Engine]SupervisionRun{}
	for _, run := range r.Runs {
		e := run.Store.Plans.Engine
		if run.Store.Plans.Reports >= largest[e].Store.Plans.Reports {
			largest[e] = run
		}
	}
	limits := []time.Duration{BriefTarget, BulletinTarget, ScorecardTarget}
	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		run, ok := largest[e]
		if !ok {
			continue
		}
		base := run.Calls[len(run.Calls)-1].Stats
		for i, limit := range limits {
			k := run.Calls[i]
			r.Targets = append(r.Targets, Target{
				Name:  fmt.Sprintf("%s, %s, %d reports, median of %d (slowest %s)", k.Name, e, run.Store.Plans.Made.Reports, run.Reps, fmtMS(k.Stats.Max)),
				Limit: "< " + limit.String(), Measured: fmtMS(k.Stats.Median), Pass: k.Stats.Median < limit,
				Baseline: "count(*) of reports " + fmtMS(base.Median), Ratio: k.OverBaseline,
			})
		}
	}
}

// WriteText writes the report as readable tables.
func (r *SupervisionReport) WriteText(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "Concord supervision benchmark, as of %s — %s, %d CPUs (%s), %s RAM, %s, kernel %s\n\n", r.Today, m.OS, m.CPUs, m.CPU, m.Memory, m.Go, m.Kernel)
	for _, run := range r.Runs {
		s := run.Store
		how := "reused"
		if s.SeedSecs > 0 {
			how = fmt.Sprintf("added in %.0f s", s.SeedSecs)
		}
		fmt.Fprintf(w, "%s, %d tasks, %d reports; %d decisions, %d units scored (%s); %d timed rounds after one unmeasured\n",
			s.Plans.Engine, s.Plans.Made.Tasks, s.Plans.Made.Reports, s.Decisions, s.Units, how, run.Reps)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "call\tfirst (unmeasured)\tmin\tmedian\tmax\tmedian ÷ baseline median")
		for _, k := range run.Calls {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f×\n", k.Name, fmtMS(k.First), fmtMS(k.Stats.Min), fmtMS(k.Stats.Median), fmtMS(k.Stats.Max), k.OverBaseline)
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "Targets (largest store of each engine):")
	writeTargets(w, r.Targets)
}
