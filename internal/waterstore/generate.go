package waterstore

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Generated describes generated sample data for the ingest benchmark: n
// stations sampled every Every through a year, nine items each, with
// plausible values (a seasonal swing and noise around a per-station level).
type Generated struct {
	Stations int
	Year     int
	Every    time.Duration
	Seed     uint64
}

// generatedItems are the nine items of a generated sample, as the
// national automatic stations publish them.
var generatedItems = []struct {
	code        string
	base, swing float64 // level and seasonal amplitude
	digits      int
}{
	{"water_temp", 12, 10, 1}, {"ph", 7.6, 0.3, 2}, {"do", 8.5, 2, 2}, {"codmn", 4, 1.5, 2}, {"nh3n", 0.5, 0.3, 3},
	{"tp", 0.12, 0.06, 3}, {"tn", 2.5, 1, 2}, {"conductivity", 600, 150, 0}, {"turbidity", 25, 15, 1},
}

func genCode(i int) string { return fmt.Sprintf("GEN-%05d", i+1) }
func genName(i int) string { return fmt.Sprintf("样例断面%05d", i+1) }

const genProvince = "样例省"

// WriteStations writes the generated stations as a stations file (CSV):
// every tenth a reservoir, the rest river sections, all with target Ⅲ.
func (g Generated) WriteStations(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("code,name_zh,province,basin,water_body,target_class\n")
	for i := range g.Stations {
		body := "river"
		if i%10 == 9 {
			body = "reservoir"
		}
		fmt.Fprintf(bw, "%s,%s,%s,样例流域,%s,Ⅲ\n", genCode(i), genName(i), genProvince, body)
	}
	return bw.Flush()
}

// WriteSamples writes the wide CSV of samples, station by station in time
// order (as monitoring exports list them), times in UTC+8 with the offset.
// It returns the rows written.
func (g Generated) WriteSamples(w io.Writer) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString("province,section,time")
	for _, it := range generatedItems {
		bw.WriteString("," + it.code)
	}
	bw.WriteByte('\n')
	zone := time.FixedZone("", 8*3600)
	start := time.Date(g.Year, 1, 1, 0, 0, 0, 0, zone)
	end := start.AddDate(1, 0, 0)
	rng := rand.New(rand.NewPCG(g.Seed, uint64(g.Stations)))
	rows := 0
	var line []byte
	for i := range g.Stations {
		level := 0.6 + 0.8*rng.Float64() // how polluted this station is
		prefix := genProvince + "," + genName(i) + ","
		for t := start; t.Before(end); t = t.Add(g.Every) {
			season := math.Sin(2 * math.Pi * float64(t.YearDay()) / 365)
			line = append(line[:0], prefix...)
			line = t.AppendFormat(line, time.RFC3339)
			for _, it := range generatedItems {
				v := it.base + it.swing*season
				if it.code != "water_temp" && it.code != "ph" && it.code != "do" {
					v *= level
				}
				v *= 1 + 0.1*rng.NormFloat64()
				if it.code != "water_temp" {
					v = math.Max(v, 0)
				}
				line = append(line, ',')
				line = strconv.AppendFloat(line, v, 'f', it.digits, 64)
			}
			line = append(line, '\n')
			if _, err := bw.Write(line); err != nil {
				return rows, err
			}
			rows++
		}
	}
	return rows, bw.Flush()
}
