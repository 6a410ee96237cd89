package waterstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/sheet"
	"concord/internal/water"
)

// Flag is a stored reading's state.
type Flag uint8

const (
	Normal      Flag = iota
	Maintenance      // the station was under maintenance (维护)
	Stopped          // the station was stopped (停站)
	Suspect          // physically impossible: kept out of assessment, listed for review
)

var flagNames = [...]string{"normal", "maintenance", "stopped", "suspect"}

func (f Flag) String() string { return flagNames[f] }

// MarshalText writes the flag by name.
func (f Flag) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// flagOf is the flag of value v of item it in a sample of status st.
func flagOf(st water.Status, it water.Item, v float64) Flag {
	switch st {
	case water.Maintenance:
		return Maintenance
	case water.Stopped:
		return Stopped
	}
	if water.Check(it, v) != "" {
		return Suspect
	}
	return Normal
}

// MaxListed caps the conflicts and problems a report lists; all are counted.
const MaxListed = 1000

// Report is what an ingest did. With any Problems nothing was stored.
type Report struct {
	BatchID    int64 `json:"batch_id"`
	Samples    int   `json:"samples"`    // samples read
	Inserted   int   `json:"inserted"`   // values stored
	Duplicates int   `json:"duplicates"` // values stored already with the same value, and rows the file repeats
	Replaced   int   `json:"replaced"`   // stored values corrected (IngestOptions.Replace)
	Suspects   int   `json:"suspects"`   // values stored flagged suspect
	Untimed    int   `json:"untimed"`    // samples without a time (a stopped station's row): nothing to store
	// Conflicts are values that differ from the stored ones (or from an
	// earlier row of the file): the first is kept.
	Conflicts     []water.Problem `json:"conflicts"`
	ConflictCount int             `json:"conflict_count"`
	Problems      []water.Problem `json:"problems"`
	MoreProblems  int             `json:"more_problems"` // problems beyond those listed
}

// OK reports whether the ingest was stored.
func (r Report) OK() bool { return len(r.Problems) == 0 && r.MoreProblems == 0 }

// IngestOptions say how to read a file and what to do with values that
// differ from the stored ones.
type IngestOptions struct {
	water.Options
	Format water.Format
	// Replace makes values that differ from the stored ones corrections
	// that replace them; otherwise they are conflicts, and the stored
	// value is kept.
	Replace bool
	// Progress, when set, is told the bytes read so far, now and then.
	Progress func(read int64)
}

// errRefused rolls back an ingest whose report lists problems.
var errRefused = errors.New("refused")

// Ingest stores the readings of a monitoring file (water.Read's formats),
// all or nothing: any row problem or unknown station and nothing is
// stored, the report says why. The file is streamed and written in
// batches inside one transaction, so its size never needs memory. Loading
// the same data again changes nothing: equal values are duplicates,
// differing ones conflicts (or corrections with Replace). Impossible values
// are stored flagged suspect.
func (s *Service) Ingest(ctx context.Context, r io.Reader, opt IngestOptions) (Report, error) {
	if err := access.FromContext(ctx).Check(access.ManageWater, 0); err != nil {
		return Report{}, err
	}
	if opt.Progress != nil {
		r = &progressReader{r: r, report: opt.Progress}
	}
	var rep Report
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		in, err := s.begin(ctx, tx, "file", opt.File, opt.Replace)
		if err != nil {
			return err
		}
		defer in.close()
		if err := in.loadStations(ctx); err != nil {
			return err
		}
		sum, err := water.Read(r, opt.Format, opt.Options, in.add)
		if err != nil {
			return err
		}
		if err := in.flush(); err != nil {
			return err
		}
		in.rep.Duplicates += sum.Duplicates
		for _, p := range sum.Problems {
			if p.Key == "water.error.conflict" {
				in.conflict(p)
			} else {
				in.problem(p)
			}
		}
		in.rep.MoreProblems += sum.MoreProblems
		if !in.rep.OK() {
			rep = Report{Samples: in.rep.Samples, Problems: in.rep.Problems, MoreProblems: in.rep.MoreProblems}
			return errRefused
		}
		if err := in.finish(); err != nil {
			return err
		}
		rep = in.rep
		return audit.Record(ctx, tx, audit.Change{Action: "water.import", ObjectType: "water_batch", ObjectID: rep.BatchID,
			After: recordOf(opt.File, rep)})
	})
	if errors.Is(err, errRefused) {
		return rep, nil
	}
	return rep, err
}

// batchRecord is what the audit keeps of an ingest: its counts, not its
// values (the readings name their batch) nor its conflicts.
type batchRecord struct {
	Name string `json:"name"`
	Report
}

func recordOf(name string, rep Report) batchRecord {
	rep.Conflicts = nil
	return batchRecord{Name: name, Report: rep}
}

// progressReader tells how far a file has been read.
type progressReader struct {
	r      io.Reader
	n      int64
	report func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	p.report(p.n)
	return n, err
}

// stationRef is what ingest needs of a station.
type stationRef struct {
	id   int64
	code string
}

type readingKey struct {
	station int64
	at      int64
	item    water.Item
}

type storedValue struct {
	value float64
	flag  Flag
}

type monthKey struct {
	station int64
	month   int
	item    water.Item
}

type pendingSample struct {
	station stationRef
	at      int64
	month   int
	s       water.Sample
}

// batchSamples is how many samples are written at once: a few thousand
// values, one look-up of what is stored per station.
const batchSamples = 1024

// rowsPerInsert is the rows of one statement writing readings or month
// sums: on PostgreSQL a round trip is the cost, so many; SQLite does best
// with a few hundred parameters.
func rowsPerInsert(e db.Engine) int {
	if e == db.Postgres {
		return 1000
	}
	return 64
}

const insertHead = `INSERT INTO water_readings (station_id, at, item, value, flag, batch_id) VALUES `

// Month sums add up; a correction adds a negative sum for the old value.
const upsertHead = `INSERT INTO water_month_sums (station_id, month, item, total, n) VALUES `
const upsertTail = ` ON CONFLICT (month, station_id, item) DO UPDATE SET total = water_month_sums.total + excluded.total, n = water_month_sums.n + excluded.n`

// values writes rows tuples of width placeholders: anonymous ones on
// SQLite, which finds each numbered parameter by a scan of a list (a cost
// that grows with the square of their count), numbered ones on PostgreSQL.
func values(e db.Engine, rows, width int) string {
	var b strings.Builder
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range width {
			if j > 0 {
				b.WriteByte(',')
			}
			if e == db.SQLite {
				b.WriteByte('?')
			} else {
				fmt.Fprintf(&b, "$%d", i*width+j+1)
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// ingester writes one batch of readings inside a transaction.
type ingester struct {
	ctx      context.Context
	tx       *sql.Tx
	zone     *time.Location
	file     string
	replace  bool
	rep      Report
	stations map[string]stationRef // by province and Chinese name
	names    []string
	unknown  map[string]bool // stations reported unknown
	pending  []pendingSample
	sums     map[monthKey]water.Sum
	rows     []any
	engine   db.Engine
	insert   *sql.Stmt // rowsPerInsert rows
	update   *sql.Stmt // one corrected reading
}

// begin opens a batch. On PostgreSQL ingests run one at a time (an
// advisory lock), so that what one reads as stored stays so until it
// commits; SQLite's single writer does the same.
func (s *Service) begin(ctx context.Context, tx *sql.Tx, source, name string, replace bool) (*ingester, error) {
	if err := s.DB.Serialize(ctx, tx, "water_readings"); err != nil {
		return nil, err
	}
	in := &ingester{ctx: ctx, tx: tx, zone: s.zone(), file: name, replace: replace,
		unknown: map[string]bool{}, sums: map[monthKey]water.Sum{}}
	err := tx.QueryRowContext(ctx, `INSERT INTO water_batches (source, name, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		source, name, loginOf(ctx), s.now()).Scan(&in.rep.BatchID)
	if err != nil {
		return nil, err
	}
	in.engine = s.DB.Engine
	if in.insert, err = tx.PrepareContext(ctx, insertHead+values(in.engine, rowsPerInsert(in.engine), 6)); err != nil {
		return nil, err
	}
	in.update, err = tx.PrepareContext(ctx, `UPDATE water_readings SET value = $1, flag = $2, batch_id = $3 WHERE station_id = $4 AND at = $5 AND item = $6`)
	return in, err
}

func loginOf(ctx context.Context) string { return access.FromContext(ctx).LoginOrSystem() }

func (in *ingester) close() {
	for _, st := range []*sql.Stmt{in.insert, in.update} {
		if st != nil {
			st.Close()
		}
	}
}

func stationKey(province, name string) string { return province + "\x00" + name }

func (in *ingester) loadStations(ctx context.Context) error {
	in.stations = map[string]stationRef{}
	rows, err := in.tx.QueryContext(ctx, `SELECT id, code, province, name_zh FROM water_stations`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ref stationRef
		var province, name string
		if err := rows.Scan(&ref.id, &ref.code, &province, &name); err != nil {
			return err
		}
		in.stations[stationKey(province, name)] = ref
		in.names = append(in.names, name)
	}
	return rows.Err()
}

func (in *ingester) problem(p water.Problem) {
	if len(in.rep.Problems) < MaxListed {
		in.rep.Problems = append(in.rep.Problems, p)
	} else {
		in.rep.MoreProblems++
	}
}

func (in *ingester) conflict(p water.Problem) {
	in.rep.ConflictCount++
	if len(in.rep.Conflicts) < MaxListed {
		in.rep.Conflicts = append(in.rep.Conflicts, p)
	}
}

// add takes a sample read from a file: its station is found by province
// and name; an unknown one is reported once, with the closest name.
func (in *ingester) add(smp water.Sample) error {
	ref, ok := in.stations[stationKey(smp.Province, smp.Section)]
	if !ok {
		k := stationKey(smp.Province, smp.Section)
		if !in.unknown[k] {
			in.unknown[k] = true
			p := water.Problem{File: in.file, Row: smp.Row, Key: "waterstore.error.unknown_station", Args: []any{smp.Province, smp.Section}}
			if near, ok := sheet.Suggest(smp.Section, in.names); ok {
				p.Key, p.Args = "waterstore.error.unknown_station_near", append(p.Args, near)
			}
			in.problem(p)
		}
		return nil
	}
	return in.addAt(ref, smp)
}

// addAt queues a sample of a known station, writing when a batch is full.
// Once a problem is known the file will be refused: samples are only
// counted, not written.
func (in *ingester) addAt(ref stationRef, smp water.Sample) error {
	in.rep.Samples++
	if smp.Time.IsZero() {
		in.rep.Untimed++
		return nil
	}
	if !in.rep.OK() {
		return nil
	}
	in.pending = append(in.pending, pendingSample{ref, smp.Time.Unix(), monthOf(smp.Time, in.zone), smp})
	if len(in.pending) >= batchSamples {
		return in.flush()
	}
	return nil
}

// flush writes the pending samples: values not stored yet are inserted and
// added to their month's sums; stored ones are duplicates, conflicts or,
// with replace, corrections whose old value leaves the sums.
func (in *ingester) flush() error {
	if len(in.pending) == 0 {
		return nil
	}
	stored, err := in.stored()
	if err != nil {
		return err
	}
	for _, p := range in.pending {
		for _, r := range p.s.Values {
			f := flagOf(p.s.Status, r.Item, r.Value)
			k := readingKey{p.station.id, p.at, r.Item}
			old, ok := stored[k]
			switch {
			case !ok:
				if err := in.queue(p.station.id, p.at, r.Item, r.Value, f); err != nil {
					return err
				}
				in.rep.Inserted++
			case old.value == r.Value && old.flag == f:
				in.rep.Duplicates++
				continue
			case in.replace:
				if _, err := in.update.ExecContext(in.ctx, r.Value, int(f), in.rep.BatchID, p.station.id, p.at, string(r.Item)); err != nil {
					return err
				}
				in.count(monthKey{p.station.id, p.month, r.Item}, old.value, old.flag, -1)
				in.rep.Replaced++
			default:
				in.conflict(water.Problem{File: in.file, Row: p.s.Row, Column: string(r.Item), Key: "waterstore.conflict",
					Args: []any{p.station.code, time.Unix(p.at, 0).In(in.zone).Format("2006-01-02 15:04"), water.Num(old.value), water.Num(r.Value)}})
				continue
			}
			stored[k] = storedValue{r.Value, f}
			in.count(monthKey{p.station.id, p.month, r.Item}, r.Value, f, 1)
			if f == Suspect {
				in.rep.Suspects++
			}
		}
	}
	in.pending = in.pending[:0]
	if err := in.writeRows(); err != nil {
		return err
	}
	sums := make([]any, 0, 5*len(in.sums))
	for k, sum := range in.sums {
		sums = append(sums, k.station, k.month, string(k.item), sum.Total, sum.N)
	}
	clear(in.sums)
	return in.exec(upsertHead, upsertTail, 5, sums)
}

// count adds (sign 1) or takes away (sign -1) a value from its month's
// sums; only normal values count toward assessment.
func (in *ingester) count(k monthKey, v float64, f Flag, sign int) {
	if f != Normal {
		return
	}
	cur := in.sums[k]
	in.sums[k] = water.Sum{Total: cur.Total + float64(sign)*v, N: cur.N + sign}
}

// stored is what is stored already at the pending samples' stations and
// times: one range query per station of the batch.
func (in *ingester) stored() (map[readingKey]storedValue, error) {
	type span struct{ from, to int64 }
	spans := map[int64]span{}
	for _, p := range in.pending {
		sp, ok := spans[p.station.id]
		if !ok {
			sp = span{p.at, p.at}
		}
		spans[p.station.id] = span{min(sp.from, p.at), max(sp.to, p.at)}
	}
	out := map[readingKey]storedValue{}
	for id, sp := range spans {
		rows, err := in.tx.QueryContext(in.ctx, `SELECT at, item, value, flag FROM water_readings WHERE station_id = $1 AND at BETWEEN $2 AND $3`, id, sp.from, sp.to)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			k := readingKey{station: id}
			var v storedValue
			var item string
			if err := rows.Scan(&k.at, &item, &v.value, &v.flag); err != nil {
				rows.Close()
				return nil, err
			}
			k.item = water.Item(item)
			out[k] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// queue adds a row to insert, writing a full statement's worth.
func (in *ingester) queue(station, at int64, it water.Item, v float64, f Flag) error {
	in.rows = append(in.rows, station, at, string(it), v, int(f), in.rep.BatchID)
	if len(in.rows) == rowsPerInsert(in.engine)*6 {
		if _, err := in.insert.ExecContext(in.ctx, in.rows...); err != nil {
			return err
		}
		in.rows = in.rows[:0]
	}
	return nil
}

// writeRows inserts the rows left over, fewer than one statement's worth.
func (in *ingester) writeRows() error {
	err := in.exec(insertHead, "", 6, in.rows)
	in.rows = in.rows[:0]
	return err
}

// exec writes args, rows of width values, as head VALUES … tail
// statements of at most rowsPerInsert rows.
func (in *ingester) exec(head, tail string, width int, args []any) error {
	per := rowsPerInsert(in.engine) * width
	for len(args) > 0 {
		n := min(per, len(args))
		if _, err := in.tx.ExecContext(in.ctx, head+values(in.engine, n/width, width)+tail, args[:n]...); err != nil {
			return err
		}
		args = args[n:]
	}
	return nil
}

// finish records the batch's counts.
func (in *ingester) finish() error {
	r := in.rep
	_, err := in.tx.ExecContext(in.ctx, `UPDATE water_batches SET inserted = $1, duplicates = $2, conflicts = $3, replaced = $4, suspects = $5 WHERE id = $6`,
		r.Inserted, r.Duplicates, r.ConflictCount, r.Replaced, r.Suspects, r.BatchID)
	return err
}
