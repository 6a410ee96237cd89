package waterstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
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
	err := s.DB.ConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		in, err := s.begin(ctx, conn, tx, "file", opt.File, opt.Replace)
		if err != nil {
			return err
		}
		defer in.close()
		if err := in.loadStations(ctx); err != nil {
			return err
		}
		emit, finish := handOff(in.add)
		sum, err := water.Read(r, opt.Format, opt.Options, emit)
		if ferr := finish(); err == nil {
			err = ferr
		}
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

// handOffBatch is how many samples the reader hands over at once.
const handOffBatch = 256

// handOff calls add on a goroutine of its own for each sample given to
// emit, in order, so that reading a file (splitting, parsing numbers and
// times) and storing what it read (packing, counting) use two cores.
// After add fails emit returns its error; finish waits for the samples
// handed over and returns add's first error. finish must be called.
func handOff(add func(water.Sample) error) (emit func(water.Sample) error, finish func() error) {
	jobs, free := make(chan []water.Sample, 4), make(chan []water.Sample, 5)
	failed, done := make(chan struct{}), make(chan struct{})
	var err error // add's first error, written before failed is closed
	go func() {
		defer close(done)
		for batch := range jobs {
			for _, s := range batch {
				if err != nil {
					break
				}
				if err = add(s); err != nil {
					close(failed)
				}
			}
			select {
			case free <- batch[:0]:
			default:
			}
		}
	}()
	batch := make([]water.Sample, 0, handOffBatch)
	send := func() error {
		select {
		case jobs <- batch:
		case <-failed:
			return err
		}
		select {
		case batch = <-free:
		default:
			batch = make([]water.Sample, 0, handOffBatch)
		}
		return nil
	}
	emit = func(s water.Sample) error {
		if batch = append(batch, s); len(batch) < handOffBatch {
			return nil
		}
		return send()
	}
	finish = func() error {
		if len(batch) > 0 {
			send()
		}
		close(jobs)
		<-done
		return err
	}
	return emit, finish
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

// lastStation is a station found by province and name.
type lastStation struct {
	province, section string
	ref               stationRef
	ok                bool
}

// stationMonth is a station's month (yyyymm).
type stationMonth struct {
	station int64
	month   int
}

// itemSum is an item's sum in a month.
type itemSum struct {
	item water.Item
	sum  water.Sum
}

// rowBatch is rows of water_days to write: their keys, and their data
// columns packed one after another in data (row i's ends at rows[i].end),
// so gathering a row allocates nothing. A row is built in place: opened,
// given its samples in time order, closed.
type rowBatch struct {
	rows []dayRow
	data []byte
	cur  dayRow // the open row, when open
	n    int    // its samples
	open bool
}

type dayRow struct {
	station, day int64
	suspect      int
	end          int
}

// start opens a row for station's day.
func (b *rowBatch) start(station, day int64) {
	b.cur, b.n, b.open = dayRow{station: station, day: day}, 0, true
	b.data = append(b.data, '[')
}

// isOpen reports whether station's day is the open row.
func (b *rowBatch) isOpen(station, day int64) bool {
	return b.open && b.cur.station == station && b.cur.day == day
}

// add adds a sample to the open row.
func (b *rowBatch) add(s daySample) {
	if b.n > 0 {
		b.data = append(b.data, ',')
	}
	b.data = appendSample(b.data, s)
	b.n++
	b.cur.suspect |= suspectOf(s.vals)
}

// close closes the open row, if any.
func (b *rowBatch) close() {
	if !b.open {
		return
	}
	b.data = append(b.data, ']')
	b.cur.end = len(b.data)
	b.rows = append(b.rows, b.cur)
	b.open = false
}

// dataOf is row i's data column.
func (b *rowBatch) dataOf(i int) []byte {
	start := 0
	if i > 0 {
		start = b.rows[i-1].end
	}
	return b.data[start:b.rows[i].end]
}

func (b *rowBatch) reset() *rowBatch {
	b.rows, b.data, b.open = b.rows[:0], b.data[:0], false
	return b
}

// pendingSample is a sample that may meet stored values: its station has
// samples stored around its time.
type pendingSample struct {
	station stationRef
	at      int64
	month   int
	s       water.Sample
}

// span is what a station has stored when an ingest starts (its first and
// last days, any unless stored), and the last time this ingest has seen.
type span struct {
	from, to int64
	stored   bool
	last     int64
	seen     bool
}

// written is a batch of sample rows for the writer, or with ack a
// barrier: acked once everything sent before it is written.
type written struct {
	rows *rowBatch
	ack  chan struct{}
}

// rowsPerWrite is how many day rows are gathered before they are written:
// one COPY on PostgreSQL (each a statement and a round trip, so many
// rows), statements of rowsPerInsert rows on SQLite.
func rowsPerWrite(e db.Engine) int {
	if e == db.Postgres {
		return 8192
	}
	return 1024
}

// batchSamples is how many samples that may meet stored values are looked
// up at once: one range query per station.
const batchSamples = 1024

// maxSums is how many month sums are gathered in memory before they are
// merged into water_month_sums: a year of 2,000 stations' nine items is
// 216,000.
const maxSums = 500_000

// rowsPerInsert is the rows of one statement writing samples or month
// sums: on PostgreSQL a round trip is the cost, so many; SQLite does best
// with a few hundred parameters.
func rowsPerInsert(e db.Engine) int {
	if e == db.Postgres {
		return 1000
	}
	return 100
}

const dayColumns = "station_id, day, suspect, data"
const insertHead = `INSERT INTO water_days (` + dayColumns + `) VALUES `

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
//
// Most samples are new: their station has nothing stored on their day
// (before its first or after its last stored day when the ingest began)
// and this ingest has not seen the station at that time or later, nor
// closed that day's row. They are packed into their day's row, the open
// one, and written once it closes (COPY on PostgreSQL). The others, a
// late sample among stored ones or a file out of time or station order,
// are looked up a batch at a time and merged value by value into their
// day's row: duplicates, conflicts, corrections, values added.
type ingester struct {
	ctx      context.Context
	tx       *sql.Tx
	conn     *sql.Conn // for COPY on PostgreSQL
	zone     *time.Location
	file     string
	replace  bool
	rep      Report
	stations map[string]stationRef // by province and Chinese name
	last     lastStation           // the previous sample's: files list a station's samples together
	names    []string
	unknown  map[string]bool // stations reported unknown
	spans    map[int64]*span
	pending  []pendingSample
	fresh    *rowBatch
	// The month sums gathered in memory, by station and month; the last
	// used is at hand (files list a station's samples together).
	sums    map[stationMonth]*[]itemSum
	nsums   int
	cur     stationMonth
	curSums *[]itemSum
	// Sample rows are written by a goroutine of their own (the writer)
	// while the file is read on: sent on jobs, they come back on free;
	// werr is the writer's first error, read after a barrier.
	jobs    chan written
	free    chan *rowBatch
	stopped chan struct{}
	werr    error
	vals    []value
	buf     []byte
	copyBuf []byte // the writer's COPY data
	engine  db.Engine
	insert  *sql.Stmt // rowsPerInsert rows, SQLite
	update  *sql.Stmt // one stored sample's values
}

// begin opens a batch. On PostgreSQL ingests run one at a time (an
// advisory lock), so that what one reads as stored stays so until it
// commits; SQLite's single writer does the same.
func (s *Service) begin(ctx context.Context, conn *sql.Conn, tx *sql.Tx, source, name string, replace bool) (*ingester, error) {
	if err := s.DB.Serialize(ctx, tx, "water_readings"); err != nil {
		return nil, err
	}
	in := &ingester{ctx: ctx, tx: tx, conn: conn, zone: s.zone(), file: name, replace: replace,
		unknown: map[string]bool{}, spans: map[int64]*span{}, sums: map[stationMonth]*[]itemSum{}}
	err := tx.QueryRowContext(ctx, `INSERT INTO water_batches (source, name, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		source, name, loginOf(ctx), s.now()).Scan(&in.rep.BatchID)
	if err != nil {
		return nil, err
	}
	in.engine = s.DB.Engine
	if in.engine == db.SQLite {
		if in.insert, err = tx.PrepareContext(ctx, insertHead+values(in.engine, rowsPerInsert(in.engine), 4)); err != nil {
			return nil, err
		}
	}
	if in.update, err = tx.PrepareContext(ctx, `UPDATE water_days SET suspect = $1, data = $2 WHERE station_id = $3 AND day = $4`); err != nil {
		return nil, err
	}
	in.fresh = &rowBatch{}
	in.jobs, in.free, in.stopped = make(chan written, 2), make(chan *rowBatch, 3), make(chan struct{})
	go in.writer()
	return in, nil
}

// writer writes the batches of sample rows sent to it, in order, until
// jobs is closed; after an error it only hands batches back.
func (in *ingester) writer() {
	defer close(in.stopped)
	for w := range in.jobs {
		if w.ack != nil {
			close(w.ack)
			continue
		}
		if in.werr == nil {
			in.werr = in.writeRows(w.rows)
		}
		select {
		case in.free <- w.rows.reset():
		default:
		}
	}
}

// send hands the gathered sample rows to the writer.
func (in *ingester) send() {
	in.fresh.close()
	if len(in.fresh.rows) == 0 {
		return
	}
	in.jobs <- written{rows: in.fresh}
	select {
	case in.fresh = <-in.free:
	default:
		in.fresh = &rowBatch{}
	}
}

// wait sends what is gathered and waits until the writer has written
// everything sent: then the transaction is the caller's alone.
func (in *ingester) wait() error {
	in.send()
	ack := make(chan struct{})
	in.jobs <- written{ack: ack}
	<-ack
	return in.werr
}

func loginOf(ctx context.Context) string { return access.FromContext(ctx).LoginOrSystem() }

func (in *ingester) close() {
	if in.jobs != nil {
		close(in.jobs)
		<-in.stopped
	}
	for _, st := range []*sql.Stmt{in.insert, in.update} {
		if st != nil {
			st.Close()
		}
	}
}

func stationKey(province, name string) string { return province + "\x00" + name }

func (in *ingester) loadStations(ctx context.Context) error {
	in.stations = map[string]stationRef{}
	// What each station has stored: two index look-ups each.
	rows, err := in.tx.QueryContext(ctx, `SELECT id, code, province, name_zh,
		(SELECT min(day) FROM water_days d WHERE d.station_id = w.id), (SELECT max(day) FROM water_days d WHERE d.station_id = w.id)
		FROM water_stations w`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ref stationRef
		var province, name string
		var from, to sql.NullInt64
		if err := rows.Scan(&ref.id, &ref.code, &province, &name, &from, &to); err != nil {
			return err
		}
		in.stations[stationKey(province, name)] = ref
		in.names = append(in.names, name)
		in.spans[ref.id] = &span{from: from.Int64, to: to.Int64, stored: from.Valid}
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
	if !in.last.ok || smp.Province != in.last.province || smp.Section != in.last.section {
		k := stationKey(smp.Province, smp.Section)
		ref, ok := in.stations[k]
		if !ok {
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
		in.last = lastStation{smp.Province, smp.Section, ref, true}
	}
	return in.addAt(in.last.ref, smp)
}

// addAt takes a sample of a known station: a new one is packed and
// queued, one that may meet stored values waits for its look-up. Once a
// problem is known the file will be refused: samples are only counted,
// not written.
func (in *ingester) addAt(ref stationRef, smp water.Sample) error {
	in.rep.Samples++
	if smp.Time.IsZero() {
		in.rep.Untimed++
		return nil
	}
	if !in.rep.OK() {
		return nil
	}
	at := smp.Time.Unix()
	sp, err := in.span(ref.id)
	if err != nil {
		return err
	}
	// New: on a day before or after those stored, later than what this
	// ingest has seen of the station, and on a later day or the open row's.
	day := dayOf(at)
	isNew := (!sp.stored || day < sp.from || day > sp.to) &&
		(!sp.seen || at > sp.last && (day > dayOf(sp.last) || in.fresh.isOpen(ref.id, day)))
	if !sp.seen || at > sp.last {
		sp.last, sp.seen = at, true
	}
	month := monthOf(smp.Time, in.zone)
	if !isNew {
		in.pending = append(in.pending, pendingSample{ref, at, month, smp})
		if len(in.pending) >= batchSamples {
			return in.flushPending()
		}
		return nil
	}
	in.vals = in.vals[:0]
	for _, r := range smp.Values {
		f := flagOf(smp.Status, r.Item, r.Value)
		in.vals = append(in.vals, value{r.Item, r.Value, f, in.rep.BatchID})
		in.stored(ref.id, month, r.Item, r.Value, f)
	}
	if in.nsums > maxSums {
		if err := in.writeSums(); err != nil {
			return err
		}
	}
	if len(in.vals) > 0 {
		in.queue(ref.id, at, in.vals)
	}
	return nil
}

// stored counts a value newly stored: in the report, and in its month's
// sums when normal.
func (in *ingester) stored(station int64, month int, it water.Item, v float64, f Flag) {
	in.rep.Inserted++
	if f == Suspect {
		in.rep.Suspects++
	}
	in.count(station, month, it, v, f, 1)
}

// span is what station has stored, looked up when the ingest first meets
// it (before it has written any of the station's samples) unless
// loadStations did.
func (in *ingester) span(station int64) (*span, error) {
	if sp := in.spans[station]; sp != nil {
		return sp, nil
	}
	if err := in.wait(); err != nil {
		return nil, err
	}
	sp := &span{}
	var from, to sql.NullInt64
	err := in.tx.QueryRowContext(in.ctx, `SELECT min(day), max(day) FROM water_days WHERE station_id = $1`, station).Scan(&from, &to)
	if err != nil {
		return nil, err
	}
	sp.from, sp.to, sp.stored = from.Int64, to.Int64, from.Valid
	in.spans[station] = sp
	return sp, nil
}

// queue adds a new sample to its day's row, the open one or a new one,
// writing when enough rows are gathered.
func (in *ingester) queue(station, at int64, vals []value) {
	day := dayOf(at)
	if !in.fresh.isOpen(station, day) {
		if in.fresh.close(); len(in.fresh.rows) >= rowsPerWrite(in.engine) {
			in.send()
		}
		in.fresh.start(station, day)
	}
	in.fresh.add(daySample{at, in.rep.BatchID, vals})
}

// writeRows writes sample rows: by COPY on PostgreSQL, by prepared
// multi-row inserts on SQLite.
func (in *ingester) writeRows(b *rowBatch) error {
	if len(b.rows) == 0 {
		return nil
	}
	if in.engine == db.Postgres {
		// COPY's text format: the data column's JSON has no tab, newline
		// or backslash to escape (item codes are identifiers).
		in.copyBuf = in.copyBuf[:0]
		for i, r := range b.rows {
			in.copyBuf = strconv.AppendInt(in.copyBuf, r.station, 10)
			in.copyBuf = append(in.copyBuf, '\t')
			in.copyBuf = strconv.AppendInt(in.copyBuf, r.day, 10)
			in.copyBuf = append(in.copyBuf, '\t', byte('0'+r.suspect), '\t')
			in.copyBuf = append(append(in.copyBuf, b.dataOf(i)...), '\n')
		}
		return db.CopyText(in.ctx, in.conn, "water_days ("+dayColumns+")", in.copyBuf)
	}
	per := rowsPerInsert(in.engine)
	args := make([]any, 0, 4*per)
	for start := 0; start < len(b.rows); start += per {
		args = args[:0]
		for i := start; i < min(start+per, len(b.rows)); i++ {
			r := b.rows[i]
			args = append(args, r.station, r.day, r.suspect, string(b.dataOf(i)))
		}
		if len(args) < 4*per {
			return in.exec(insertHead, "", 4, args)
		}
		if _, err := in.insert.ExecContext(in.ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// flush writes everything gathered: pending samples, sample rows and
// month sums.
func (in *ingester) flush() error {
	if err := in.flushPending(); err != nil {
		return err
	}
	if err := in.wait(); err != nil {
		return err
	}
	return in.writeSums()
}

// flushPending merges the samples that may meet stored values into what
// is stored, a day row at a time: changed rows are rewritten whole, new
// ones join the rows to write.
func (in *ingester) flushPending() error {
	if len(in.pending) == 0 {
		return nil
	}
	// Rows queued earlier, the open one too, may be among those looked up.
	if err := in.wait(); err != nil {
		return err
	}
	days, err := in.storedDays()
	if err != nil {
		return err
	}
	for _, p := range in.pending {
		k := dayKey{p.station.id, dayOf(p.at)}
		d := days[k]
		if d == nil {
			d = &storedDay{}
			days[k] = d
		}
		i, found := slices.BinarySearchFunc(d.samples, p.at, func(s daySample, at int64) int { return cmp.Compare(s.at, at) })
		if !found {
			d.samples = slices.Insert(d.samples, i, daySample{at: p.at, batch: in.rep.BatchID})
		}
		if in.merge(p, &d.samples[i]) {
			d.dirty = true
		}
	}
	in.pending = in.pending[:0]
	keys := slices.SortedFunc(maps.Keys(days), func(a, b dayKey) int {
		return cmp.Or(cmp.Compare(a.station, b.station), cmp.Compare(a.day, b.day))
	})
	for _, k := range keys {
		d := days[k]
		if !d.dirty {
			continue
		}
		// A new sample whose every value was refused is not kept.
		d.samples = slices.DeleteFunc(d.samples, func(s daySample) bool { return len(s.vals) == 0 })
		if !d.stored {
			in.fresh.start(k.station, k.day)
			for _, s := range d.samples {
				in.fresh.add(s)
			}
			in.fresh.close()
			continue
		}
		suspect := 0
		in.buf = append(in.buf[:0], '[')
		for i, s := range d.samples {
			if i > 0 {
				in.buf = append(in.buf, ',')
			}
			in.buf = appendSample(in.buf, s)
			suspect |= suspectOf(s.vals)
		}
		in.buf = append(in.buf, ']')
		if _, err := in.update.ExecContext(in.ctx, suspect, string(in.buf), k.station, k.day); err != nil {
			return err
		}
	}
	in.send()
	return nil
}

// merge adds a pending sample's values to the sample stored at its time:
// values not stored yet are added, and counted in their month's sums;
// stored ones are duplicates, conflicts or, with replace, corrections
// whose old value leaves the sums. It reports whether s changed.
func (in *ingester) merge(p pendingSample, s *daySample) bool {
	changed := false
	for _, r := range p.s.Values {
		f := flagOf(p.s.Status, r.Item, r.Value)
		j := slices.IndexFunc(s.vals, func(v value) bool { return v.item == r.Item })
		switch {
		case j < 0:
			s.vals = append(s.vals, value{r.Item, r.Value, f, in.rep.BatchID})
			in.stored(p.station.id, p.month, r.Item, r.Value, f)
		case s.vals[j].value == r.Value && s.vals[j].flag == f:
			in.rep.Duplicates++
			continue
		case in.replace:
			old := s.vals[j]
			in.count(p.station.id, p.month, r.Item, old.value, old.flag, -1)
			in.count(p.station.id, p.month, r.Item, r.Value, f, 1)
			if f == Suspect {
				in.rep.Suspects++
			}
			s.vals[j] = value{r.Item, r.Value, f, in.rep.BatchID}
			in.rep.Replaced++
		default:
			in.conflict(water.Problem{File: in.file, Row: p.s.Row, Column: string(r.Item), Key: "waterstore.conflict",
				Args: []any{p.station.code, time.Unix(p.at, 0).In(in.zone).Format("2006-01-02 15:04"), water.Num(s.vals[j].value), water.Num(r.Value)}})
			continue
		}
		changed = true
	}
	return changed
}

// dayKey is a day row's key.
type dayKey struct{ station, day int64 }

// storedDay is a day row's samples in time order: stored, or new with
// this ingest; dirty once a sample changed.
type storedDay struct {
	samples       []daySample
	stored, dirty bool
}

// storedDays are the day rows stored at the pending samples' stations and
// days: one range query per station.
func (in *ingester) storedDays() (map[dayKey]*storedDay, error) {
	type rng struct{ from, to int64 }
	spans := map[int64]rng{}
	for _, p := range in.pending {
		day := dayOf(p.at)
		sp, ok := spans[p.station.id]
		if !ok {
			sp = rng{day, day}
		}
		spans[p.station.id] = rng{min(sp.from, day), max(sp.to, day)}
	}
	out := map[dayKey]*storedDay{}
	for id, sp := range spans {
		rows, err := in.tx.QueryContext(in.ctx, `SELECT day, data FROM water_days WHERE station_id = $1 AND day BETWEEN $2 AND $3`, id, sp.from, sp.to)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var day int64
			var data []byte
			if err := rows.Scan(&day, &data); err != nil {
				rows.Close()
				return nil, err
			}
			samples, err := parseDay(data)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[dayKey{id, day}] = &storedDay{samples: samples, stored: true}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// count adds (sign 1) or takes away (sign -1) a value from its month's
// sums; only normal values count toward assessment.
func (in *ingester) count(station int64, month int, it water.Item, v float64, f Flag, sign int) {
	if f != Normal {
		return
	}
	if k := (stationMonth{station, month}); in.curSums == nil || k != in.cur {
		if in.curSums = in.sums[k]; in.curSums == nil {
			in.curSums = &[]itemSum{}
			in.sums[k] = in.curSums
		}
		in.cur = k
	}
	list := *in.curSums
	for i := range list {
		if list[i].item == it {
			list[i].sum.Total += float64(sign) * v
			list[i].sum.N += sign
			return
		}
	}
	*in.curSums = append(list, itemSum{it, water.Sum{Total: float64(sign) * v, N: sign}})
	in.nsums++
}

// writeSums merges the month sums gathered in memory into the stored ones
// (at the end of a file, or when they grow large: they are bounded by
// stations × months × items, not by samples): one look-up of what is
// stored per station, an update per stored month, inserts for the others.
func (in *ingester) writeSums() error {
	if err := in.wait(); err != nil {
		return err
	}
	if len(in.sums) == 0 {
		return nil
	}
	keys := slices.SortedFunc(maps.Keys(in.sums), func(a, b stationMonth) int {
		return cmp.Or(cmp.Compare(a.station, b.station), cmp.Compare(a.month, b.month))
	})
	items := map[string]water.Item{}
	var inserts []any
	for len(keys) > 0 {
		station := keys[0].station
		n := 1
		for n < len(keys) && keys[n].station == station {
			n++
		}
		stored := map[int][]itemSum{}
		rows, err := in.tx.QueryContext(in.ctx, `SELECT month, data FROM water_month_sums WHERE station_id = $1 AND month BETWEEN $2 AND $3`,
			station, keys[0].month, keys[n-1].month)
		if err != nil {
			return err
		}
		for rows.Next() {
			var month int
			var data []byte
			if err := rows.Scan(&month, &data); err != nil {
				rows.Close()
				return err
			}
			var list []itemSum
			if err := parseSums(data, items, func(it water.Item, s water.Sum) { list = append(list, itemSum{it, s}) }); err != nil {
				rows.Close()
				return err
			}
			stored[month] = list
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, k := range keys[:n] {
			list, ok := stored[k.month]
			for _, add := range *in.sums[k] {
				j := slices.IndexFunc(list, func(s itemSum) bool { return s.item == add.item })
				if j < 0 {
					list = append(list, add)
					continue
				}
				list[j].sum.Total += add.sum.Total
				list[j].sum.N += add.sum.N
			}
			slices.SortFunc(list, func(a, b itemSum) int { return cmp.Compare(a.item, b.item) })
			in.buf = appendSums(in.buf[:0], list)
			if !ok {
				inserts = append(inserts, k.station, k.month, string(in.buf))
				continue
			}
			if _, err := in.tx.ExecContext(in.ctx, `UPDATE water_month_sums SET data = $1 WHERE station_id = $2 AND month = $3`,
				string(in.buf), k.station, k.month); err != nil {
				return err
			}
		}
		keys = keys[n:]
	}
	clear(in.sums)
	in.nsums, in.curSums = 0, nil
	return in.exec(`INSERT INTO water_month_sums (station_id, month, data) VALUES `, "", 3, inserts)
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
