package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/inspect"
	"concord/internal/plans"
	"concord/internal/water"
	"concord/internal/wateraccount"
	"concord/internal/waterstore"
)

// The belt's waters: its rivers' sections and near-shore sea points
// (data/belt-stations.csv), readings generated for them from 2018 up to
// now, and the real Liaoning records of ../shared/testdata when that
// folder is there (realwater.go). The generated readings are sample data
// (示例数据): every batch says so in its name.

//go:embed data/belt-stations.csv
var beltStationsFile []byte

// beltStations is the stations file without its comment lines.
func beltStations() []byte {
	var b bytes.Buffer
	for line := range bytes.Lines(beltStationsFile) {
		if !bytes.HasPrefix(line, []byte("#")) {
			b.Write(line)
		}
	}
	return b.Bytes()
}

// beltProvince is the province of every belt station.
const beltProvince = "辽宁省"

// chinaTime is the zone the stations sample in.
var chinaTime = time.FixedZone("CST", 8*3600)

// riverLevel is a river section's usual concentrations (mg/L) in 2018,
// before its seasons, trend and noise. Panjin's sections sit close to
// their Class Ⅳ limits (CODMn 10, NH3-N 1.5, TP 0.3), so that winters'
// ammonia and summers' phosphorus take some months over.
type riverLevel struct{ codmn, nh3n, tp float64 }

var riverLevels = map[string]riverLevel{
	"LN-PJ-XA":   {6.8, 1.08, 0.245},
	"LN-PJ-SGDQ": {7.0, 1.12, 0.25},
	"LN-PJ-ZQH":  {7.2, 1.05, 0.255},
	"LN-PJ-SLT":  {7.4, 1.15, 0.24},
	"LN-PJ-STZ":  {6.6, 0.95, 0.22},
	"LN-DLH-PY":  {6.2, 0.85, 0.2},
	"LN-YK-LHGY": {6.0, 0.8, 0.19},
	"LN-YK-DLHK": {6.2, 0.85, 0.2},
	"LN-YK-DQHK": {5.4, 0.7, 0.17},
	"LN-DLG-HJ":  {3.8, 0.45, 0.1},
	"LN-JZ-DLGK": {5.0, 0.7, 0.16},
	"LN-JZ-XLH":  {5.6, 0.8, 0.18},
	"LN-DD-JQ":   {2.2, 0.22, 0.045},
	"LN-DD-DYHK": {3.6, 0.42, 0.1},
}

// seaLevel is a sea point's usual values (mg/L): the problem areas named
// in 2020 between Class Ⅱ and Ⅳ in inorganic nitrogen, the rest clean.
type seaLevel struct{ cod, din, po4p, oil float64 }

var seaLevels = map[string]seaLevel{
	"LN-SEA-PLDW": {2.4, 0.36, 0.024, 0.03},
	"LN-SEA-CXDB": {2.0, 0.3, 0.02, 0.025},
	"LN-SEA-LSXB": {1.0, 0.12, 0.009, 0.015},
	"LN-SEA-DLNB": {1.0, 0.13, 0.01, 0.018},
	"LN-SEA-DYHK": {2.2, 0.4, 0.026, 0.03},
	"LN-SEA-DDG":  {2.6, 0.32, 0.024, 0.09},
	"LN-SEA-LDWK": {2.3, 0.38, 0.025, 0.035},
	"LN-SEA-DLHK": {2.8, 0.45, 0.03, 0.04},
	"LN-SEA-JZW":  {1.6, 0.22, 0.016, 0.03},
	"LN-SEA-XC":   {1.3, 0.18, 0.013, 0.02},
}

// episode is a run of months, counted back from the month the demo is
// seeded in (0), when a section carries an extra load of ammonia and
// phosphorus (mg/L): the Daling's cross-boundary section was off its
// Class Ⅲ target for six months a year and a half ago and has complied
// since; the Daliao's is off its Class Ⅳ target now.
type episode struct {
	code     string
	from, to int // months back, from ≥ to
	nh3n, tp float64
}

var episodes = []episode{{"LN-DLG-HJ", 20, 15, 0.9, 0.12}, {"LN-DLH-PY", 2, 0, 1.3, 0.15}}

// suspect is an impossible value a station sent on a day, kept flagged
// and listed for review.
type suspect struct {
	code, day string
	item      string
	value     float64
}

var suspects = []suspect{
	{"LN-PJ-SGDQ", "2019-03-04", "nh3n", -0.12}, // a negative concentration: the analyser's drift
	{"LN-YK-LHGY", "2022-06-13", "ph", 14.6},    // pH above 14
	{"LN-DD-JQ", "2024-08-05", "do", 32.5},      // dissolved oxygen above 25 mg/L
}

// sampleColumns are the generated file's columns after province, section
// and time: the national automatic stations' river items (less
// conductivity and turbidity, which no standard classes: fewer values keep
// the seed quick), then the sea items of GB 3097. A river section leaves the sea items empty and a sea
// point the river items.
var sampleColumns = []string{"water_temp", "ph", "do", "codmn", "nh3n", "tp", "tn", "cod", "din", "po4p", "petroleum"}

// waterStart is the first day of generated readings.
var waterStart = time.Date(2018, 1, 1, 0, 0, 0, 0, chinaTime)

// generator makes the belt's sample readings, month by month.
type generator struct {
	now      time.Time
	nowMonth time.Time // the first of the month the demo is seeded in
	codes    []string  // stations in file order
	names    map[string]string
	rngs     map[string]*rand.Rand
}

func newGenerator(now time.Time) (*generator, error) {
	g := &generator{now: now, names: map[string]string{}, rngs: map[string]*rand.Rand{}}
	l := now.In(chinaTime)
	g.nowMonth = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, chinaTime)
	for i, line := range strings.Split(strings.TrimSpace(string(beltStations())), "\n") {
		if i == 0 {
			continue
		}
		f := strings.SplitN(line, ",", 3)
		code, name := f[0], f[1]
		_, river := riverLevels[code]
		_, sea := seaLevels[code]
		if river == sea {
			return nil, fmt.Errorf("station %s has no river or sea level", code)
		}
		g.codes = append(g.codes, code)
		g.names[code] = name
		g.rngs[code] = rand.New(rand.NewPCG(hash(code), 2018))
	}
	return g, nil
}

func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// sampleHeader is the generated file's header.
func sampleHeader() string { return "province,section,time," + strings.Join(sampleColumns, ",") + "\n" }

// month writes to b the rows of the samples of the month beginning at m
// taken before now; it returns how many.
func (g *generator) month(b *bytes.Buffer, m time.Time) int {
	end := m.AddDate(0, 1, 0)
	// The first Monday of the month (waterStart is a Monday).
	monday := waterStart.AddDate(0, 0, 7*int(math.Ceil(m.Sub(waterStart).Hours()/24/7))).Add(10 * time.Hour)
	n := 0
	for _, code := range g.codes {
		// Rivers: every Monday at 10:00; sea points: the 15th at 09:30,
		// March to November (Liaodong Bay ices over in winter).
		var times []time.Time
		if _, river := riverLevels[code]; river {
			for t := monday; t.Before(end); t = t.AddDate(0, 0, 7) {
				times = append(times, t)
			}
		} else if m.Month() >= time.March && m.Month() <= time.November {
			times = append(times, m.AddDate(0, 0, 14).Add(9*time.Hour+30*time.Minute))
		}
		for _, t := range times {
			if !t.Before(g.now) {
				break
			}
			b.WriteString(beltProvince + "," + g.names[code] + "," + t.Format(time.RFC3339))
			for _, v := range g.sample(code, t) {
				b.WriteByte(',')
				if !math.IsNaN(v) {
					b.WriteString(strconv.FormatFloat(v, 'f', 3, 64))
				}
			}
			b.WriteByte('\n')
			n++
		}
	}
	return n
}

// sample is one sample of station code at t, in sampleColumns' order
// (NaN: not measured).
func (g *generator) sample(code string, t time.Time) []float64 {
	rng := g.rngs[code]
	noise := func(sd float64) float64 { return math.Exp(sd*rng.NormFloat64() - sd*sd/2) }
	// winter is 1 in mid-January and −1 in mid-July.
	winter := math.Cos(2 * math.Pi * float64(t.YearDay()-15) / 365)
	years := t.Sub(waterStart).Hours() / 24 / 365
	trend := 1.1 - 0.025*years // the belt's waters improve slowly
	yr := rand.New(rand.NewPCG(hash(code), uint64(t.Year())))
	trend *= 1 + 0.07*yr.NormFloat64() // wet and dry years
	ep := g.episode(code, t)
	extra := noise(0.1)
	out := make([]float64, len(sampleColumns))
	for i := range out {
		out[i] = math.NaN()
	}
	set := func(item string, v float64) { out[indexOf(item)] = v }
	if lv, river := riverLevels[code]; river {
		temp := math.Max(0.3, 13-12*winter+rng.NormFloat64())
		nh3n := lv.nh3n*(1+0.35*winter)*trend*noise(0.12) + ep.nh3n*extra
		tp := lv.tp*(1-0.22*winter)*trend*noise(0.12) + ep.tp*extra
		codmn := lv.codmn * (1 - 0.15*winter) * trend * noise(0.1)
		saturation := 14.6 - 0.4*temp + 0.008*temp*temp
		set("water_temp", temp)
		set("ph", 7.8+0.15*rng.NormFloat64())
		set("do", saturation*(0.95-0.2*lv.nh3n)/(1+0.3*ep.nh3n)*noise(0.06))
		set("codmn", codmn)
		set("nh3n", nh3n)
		set("tp", tp)
		set("tn", 0.6+1.9*nh3n*noise(0.1))
	} else {
		lv := seaLevels[code]
		temp := math.Max(1, 14-10*winter+rng.NormFloat64())
		runoff := 1 - 0.2*winter // summer rain brings the rivers' load
		set("water_temp", temp)
		set("ph", 8.1+0.08*rng.NormFloat64())
		set("do", (10.5-0.15*temp)*noise(0.05))
		set("cod", lv.cod*runoff*trend*noise(0.12))
		set("din", lv.din*runoff*trend*noise(0.12))
		set("po4p", lv.po4p*runoff*trend*noise(0.15))
		set("petroleum", lv.oil*trend*noise(0.2))
	}
	day := t.Format(time.DateOnly)
	for _, s := range suspects {
		if s.code == code && s.day == day {
			set(s.item, s.value)
		}
	}
	return out
}

func indexOf(item string) int {
	for i, c := range sampleColumns {
		if c == item {
			return i
		}
	}
	panic("no column " + item)
}

// episode is the extra load station code carries at t.
func (g *generator) episode(code string, t time.Time) episode {
	l := t.In(chinaTime)
	back := (g.nowMonth.Year()-l.Year())*12 + int(g.nowMonth.Month()) - int(l.Month())
	for _, e := range episodes {
		if e.code == code && back <= e.from && back >= e.to {
			return e
		}
	}
	return episode{}
}

// seedWaters is whether SeedAt seeds the waters: the tests of the plans'
// story turn it off (export_test.go), TestSeed checks them.
var seedWaters = true

// seedWater registers the belt's stations, ingests the generated readings
// a year at a time as the coordinator would have each January since 2019
// (this year's now), then
// the real records when ../shared is there.
func seedWater(ctx context.Context, d *db.DB, now time.Time) error {
	if !seedWaters {
		return nil
	}
	began := time.Now()
	values := 0
	fake := clock.NewFake(waterStart)
	ws := &waterstore.Service{DB: d, Clock: fake, Zone: chinaTime}
	res, err := ws.ImportStations(ctx, bytes.NewReader(beltStations()), "csv")
	if err != nil {
		return fmt.Errorf("stations: %w", err)
	}
	if len(res.Problems) > 0 {
		return fmt.Errorf("stations: %v", res.Problems)
	}
	g, err := newGenerator(now)
	if err != nil {
		return err
	}
	for y := waterStart; y.Before(now); y = y.AddDate(1, 0, 0) {
		var file bytes.Buffer
		file.WriteString(sampleHeader())
		n := 0
		for m := y; m.Before(y.AddDate(1, 0, 0)); m = m.AddDate(0, 1, 0) {
			n += g.month(&file, m)
		}
		if n == 0 {
			continue
		}
		// Uploaded on the 3rd of the next January, or now for this year.
		at := y.AddDate(1, 0, 2).Add(9 * time.Hour)
		if at.After(now) {
			at = now
		}
		fake.Set(at)
		name := fmt.Sprintf("示例数据 sample data: belt readings %d", y.Year())
		rep, err := ws.Ingest(ctx, &file, waterstore.IngestOptions{Format: water.CSV, Options: water.Options{File: name}})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if !rep.OK() {
			return fmt.Errorf("%s: %v", name, rep.Problems)
		}
		values += rep.Inserted
	}
	fake.Set(now)
	cnemc, err := seedRealWater(ctx, ws)
	if err != nil {
		return fmt.Errorf("real records: %w", err)
	}
	// The accountability loop over the last two years, each month on the
	// day the job would have evaluated it: the Daling's run of months off
	// target opens a rectification item and regains compliance; the
	// Daliao's item stays open.
	loop := &wateraccount.Service{DB: d, Clock: fake, Water: ws,
		Inspect: &inspect.Service{DB: d, Clock: fake, Plans: &plans.Service{DB: d, Clock: fake}}}
	current := ws.MonthOf(now)
	for m := waterstore.AddMonths(current, -24); m < current; m = waterstore.AddMonths(m, 1) {
		fake.Set(time.Date(m/100, time.Month(m%100)+1, wateraccount.DefaultGraceDays+1, 9, 0, 0, 0, chinaTime))
		if _, err := loop.Run(ctx, m); err != nil {
			return fmt.Errorf("water loop %s: %w", waterstore.MonthString(m), err)
		}
	}
	fake.Set(now)
	slog.Info("demo: the belt's waters seeded", "sample values", values, "real values", cnemc, "took", time.Since(began).Round(time.Millisecond))
	return nil
}
