package scores

import (
	"context"
	"fmt"
	"strings"

	"concord/internal/clock"
	"concord/internal/db"
)

// A source is one table of records a scorecard counts, grouped by unit over
// the period's dates: each query reads the period's rows once, whatever the
// number of units ($1 first day, $2 last day, $T today, numbered when the
// query is built: PostgreSQL refuses a parameter a query does not use).
type source struct {
	object string // the record's type, for links: task, report, rectification, problem
	from   string // FROM and WHERE with the period
	unit   string // the unit the record counts for
	id     string
	title  string
	due    string
	done   string // when the record was done, "" while not
}

// A measure counts, among a source's rows in the period, those that are
// due for scoring (counted) and those of them that score (hit). inverse
// measures count what is bad: the rate is one less the share of hits.
type measure struct {
	src     *source
	counted string
	hit     string
	inverse bool
}

var (
	taskSource = source{object: "task", from: `FROM tasks t WHERE t.due_on >= $1 AND t.due_on <= $2 AND t.status NOT IN ('cancelled','merged')`,
		unit: "t.lead_unit_id", id: "t.id", title: "t.title", due: "t.due_on", done: "t.completed_on"}
	reportSource = source{object: "report", from: `FROM reports r WHERE r.due_on >= $1 AND r.due_on <= $2`,
		unit: "r.unit_id", id: "r.id", title: "(SELECT title FROM tasks WHERE id = r.task_id)", due: "r.due_on", done: "r.first_submitted_at"}
	rectSource = source{object: "rectification", from: `FROM rectifications x WHERE x.due_on >= $1 AND x.due_on <= $2`,
		unit: "x.unit_id", id: "x.id", title: "x.requirement", due: "x.due_on", done: "x.closed_on"}
	problemSource = source{object: "problem", from: `FROM problems p WHERE p.handling_unit_id IS NOT NULL AND p.due_on >= $1 AND p.due_on <= $2`,
		unit: "p.handling_unit_id", id: "p.id", title: "p.title", due: "p.due_on", done: "p.solved_at"}
)

// measureOf is each computed kind's rule. A record whose deadline has not
// passed counts only once it is done: work not yet due is not late. A
// report counts while its task runs (live) or once it was submitted, so
// the reports of a cancelled task do not count against the unit.
func measureOf(k Kind, engine db.Engine) (measure, bool) {
	reportDue := `(r.first_submitted_at IS NOT NULL OR (r.live AND r.due_on < $T))`
	switch k {
	case TaskOnTime:
		return measure{&taskSource, `(t.completed_on IS NOT NULL OR t.due_on < $T)`, `t.completed_on <= t.due_on`, false}, true
	case ReportOnTime:
		return measure{&reportSource, reportDue, `r.on_time`, false}, true
	case ReportComplete:
		return measure{&reportSource, reportDue, `r.first_submitted_at IS NOT NULL`, false}, true
	case ReportReturned:
		return measure{&reportSource, `r.first_submitted_at IS NOT NULL`, `r.returns > 0`, true}, true
	case RectificationOnTime:
		return measure{&rectSource, `(x.closed_on IS NOT NULL OR x.due_on < $T)`, `x.closed_on <= x.due_on`, false}, true
	case ProblemOnTime:
		return measure{&problemSource, `(p.solved_at IS NOT NULL OR p.due_on < $T)`, dayOf(engine, "p.solved_at") + ` <= ` + dayOf(engine, "p.due_on"), false}, true
	}
	return measure{}, false
}

// dayOf is the UTC day of a date or timestamp column, comparable on both
// engines (SQLite keeps both as text that starts with the day).
func dayOf(engine db.Engine, col string) string {
	if engine == db.Postgres {
		return fmt.Sprintf("CAST(%s AT TIME ZONE 'UTC' AS DATE)", col)
	}
	return fmt.Sprintf("substr(%s, 1, 10)", col)
}

// rate is the share that scores, and whether any record counted; with none
// the item is not applicable and keeps its full points.
func (m measure) rate(num, den int) (float64, bool) {
	if den == 0 {
		return 1, false
	}
	r := float64(num) / float64(den)
	if m.inverse {
		r = 1 - r
	}
	return r, true
}

// tally is a unit's numerator and denominator of one item.
type tally struct{ num, den int }

// countAll counts every item of the given positions in one query per
// source: map position → unit → tally.
func countAll(ctx context.Context, q db.Querier, engine db.Engine, items []Item, from, to, today clock.Date) (map[int]map[int64]tally, error) {
	bySource := map[*source][]int{}
	var order []*source
	for i, it := range items {
		m, ok := measureOf(it.Kind, engine)
		if !ok {
			continue
		}
		if bySource[m.src] == nil {
			order = append(order, m.src)
		}
		bySource[m.src] = append(bySource[m.src], i)
	}
	out := map[int]map[int64]tally{}
	for _, src := range order {
		positions := bySource[src]
		var cols []string
		for _, i := range positions {
			m, _ := measureOf(items[i].Kind, engine)
			cols = append(cols, fmt.Sprintf("SUM(CASE WHEN %s THEN 1 ELSE 0 END), SUM(CASE WHEN %[1]s AND %s THEN 1 ELSE 0 END)", m.counted, m.hit))
			out[i+1] = map[int64]tally{}
		}
		query, args := withToday(`SELECT `+src.unit+`, `+strings.Join(cols, ", ")+` `+src.from+` GROUP BY `+src.unit, today, from, to)
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var unit int64
			sums := make([]int, 2*len(positions))
			dest := []any{&unit}
			for j := range sums {
				dest = append(dest, &sums[j])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, err
			}
			for j, i := range positions {
				out[i+1][unit] = tally{num: sums[2*j+1], den: sums[2*j]}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Record is one record behind an item's score.
type Record struct {
	Object  string      `json:"object"` // task, report, rectification, problem
	ID      int64       `json:"id"`
	Title   string      `json:"title"`
	DueOn   clock.Date  `json:"due_on"`
	DoneOn  *clock.Date `json:"done_on"`
	Counted bool        `json:"counted"` // in the denominator
	Hit     bool        `json:"hit"`     // in the numerator
}

// records lists one unit's records of an item's source in the period, with
// whether each counted and scored: the rows the item's tally summed.
func records(ctx context.Context, q db.Querier, engine db.Engine, kind Kind, unit int64, from, to, today clock.Date) ([]Record, error) {
	m, ok := measureOf(kind, engine)
	if !ok {
		return []Record{}, nil
	}
	src := m.src
	query, args := withToday(fmt.Sprintf(`SELECT %s, %s, %s, %s, CASE WHEN %s THEN 1 ELSE 0 END, CASE WHEN %[5]s AND %s THEN 1 ELSE 0 END %s AND %s = $3 ORDER BY %[3]s, %[1]s`,
		src.id, src.title, src.due, src.done, m.counted, m.hit, src.from, src.unit), today, from, to, unit)
	return db.All(ctx, q, func(row db.Scanner) (Record, error) {
		r := Record{Object: src.object}
		var done clock.Date
		var counted, hit int
		err := row.Scan(&r.ID, &r.Title, &r.DueOn, &done, &counted, &hit)
		if !done.IsZero() {
			r.DoneOn = &done
		}
		r.Counted, r.Hit = counted == 1, hit == 1
		return r, err
	}, query, args...)
}

// withToday numbers the $T placeholder after args and adds today to them,
// when the query uses it.
func withToday(query string, today clock.Date, args ...any) (string, []any) {
	if !strings.Contains(query, "$T") {
		return query, args
	}
	args = append(args, today)
	return strings.ReplaceAll(query, "$T", fmt.Sprintf("$%d", len(args))), args
}
