package cli

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func writeFile(t testing.TB, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWaterClassify(t *testing.T) {
	dir := t.TempDir()
	stations := writeFile(t, dir, "stations.csv", "province,basin,section,water_body\n湖南省,长江流域,岳阳楼,lake\n辽宁省,辽河流域,兴安,river\n")
	samples := writeFile(t, dir, "samples.csv", "省份,断面名称,监测时间,pH,溶解氧,高锰酸盐指数,氨氮,总磷,总氮,站点情况\n"+
		"湖南省,岳阳楼,2021-04-01 08:00,7.57,7.5,1.06,0.015,0.092,1.762,正常\n"+ // lake TP 0.092: Ⅳ
		"辽宁省,兴安,2021-04-01 08:00,7.9,6.2,4.1,0.4,0.092,3,正常\n"+ // river: Ⅲ by CODMn
		"辽宁省,兴安,2021-04-01 12:00,9.2,6.2,4.1,0.4,0.092,3,正常\n"+ // pH: 劣Ⅴ
		"辽宁省,兴安,,,,,,,,维护\n"+
		"辽宁省,兴安,2021-04-01 16:00,7.9,30,4.1,-0.4,0.092,3,正常\n"+ // impossible DO and NH3-N left out, listed
		"辽宁省,兴按,2021-04-01 08:00,7.9,8,1,0.1,0.01,1,正常\n") // not listed: a river, reported
	release := writeFile(t, dir, "2021-04-01.json", `{"thead": ["省份", "流域", "断面名称", "监测时间", "水质类别", "总磷<br/><span class='unit'>(mg/L)</span>", "站点情况"],
		"tbody": [["湖南省", "长江流域", "<span title='所在地市:岳阳市'>岳阳楼</span>", "04-01 12:00", "Ⅲ", "<span title='原始值：0.0499'>0.050</span>", "正常"]]}`)
	out, errOut, err := run(t, "", "water", "classify", "--stations", stations, "--year", "2021", "--zone", "+08:00", samples, release)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	want := `province,section,time,class,deciding item
湖南省,岳阳楼,2021-04-01T08:00:00+08:00,Ⅳ,总磷
辽宁省,兴安,2021-04-01T08:00:00+08:00,Ⅲ,高锰酸盐指数
辽宁省,兴安,2021-04-01T12:00:00+08:00,劣Ⅴ,pH
辽宁省,兴安,,,
辽宁省,兴安,2021-04-01T16:00:00+08:00,Ⅲ,高锰酸盐指数
辽宁省,兴按,2021-04-01T08:00:00+08:00,Ⅰ,pH
湖南省,岳阳楼,2021-04-01T12:00:00+08:00,Ⅲ,总磷
`
	if out != want {
		t.Errorf("output\n%s\nwant\n%s", out, want)
	}
	if !strings.Contains(errOut, "可疑数值，未参与评价：辽宁省 兴安 2021-04-01T16:00:00+08:00 溶解氧 30（溶解氧超过 25 mg/L，物理上不可能）") {
		t.Errorf("suspects not listed: %q", errOut)
	}
	if !strings.Contains(errOut, "1 个样本的断面不在站点文件中，按河流评价") || !strings.Contains(errOut, "辽宁省 兴按（1 个样本），是否指“兴安”？") {
		t.Errorf("stderr %q", errOut)
	}

	// Times without a year, or a zone, are not guessed.
	_, errOut, err = run(t, "", "water", "classify", "--stations", stations, "--lang", "en", release)
	if err == nil || !strings.Contains(errOut, "the time “04-01 12:00” has no year: give it with --year") {
		t.Errorf("no year: %v\n%s", err, errOut)
	}
	_, errOut, err = run(t, "", "water", "classify", "--stations", writeFile(t, dir, "bad.csv", "name\n"), samples)
	if err == nil || !strings.Contains(errOut, "province,basin,section,water_body") {
		t.Errorf("bad stations file: %v\n%s", err, errOut)
	}
	if _, _, err := run(t, "", "water", "classify", samples); err == nil {
		t.Error("--stations is required")
	}
	if _, _, err := run(t, "", "water", "classify", "--stations", stations, "--zone", "Mars/Olympus", samples); err == nil {
		t.Error("unknown zone accepted")
	}
}

// BenchmarkWaterClassify classes one million generated samples (2,000
// stations × 500 four-hourly times, the national per-section CSV layout,
// about 100 MB) with the command, and as a same-run baseline parses the
// same file with encoding/csv alone. It reports both wall times, the
// process CPU time of the command (steadier on a shared machine) and the
// ratio of the wall times:
//
//	go test ./internal/cli -run '^$' -bench WaterClassify -benchtime 3x
func BenchmarkWaterClassify(b *testing.B) {
	dir := b.TempDir()
	samples := filepath.Join(dir, "samples.csv")
	stations := filepath.Join(dir, "stations.csv")
	if err := generateSamples(samples, stations, 2000, 500); err != nil {
		b.Fatal(err)
	}
	var baseline, classify, classifyCPU time.Duration
	for b.Loop() {
		start := time.Now()
		f, err := os.Open(samples)
		if err != nil {
			b.Fatal(err)
		}
		r := csv.NewReader(bufio.NewReaderSize(f, 256<<10))
		rows := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
		f.Close()
		baseline += time.Since(start)
		if rows != 1_000_001 {
			b.Fatalf("%d rows", rows)
		}

		start, cpu := time.Now(), cpuTime(b)
		if err := Run(b.Context(), []string{"water", "classify", "--stations", stations, "--zone", "+08:00", samples}, nil, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
		classify += time.Since(start)
		classifyCPU += cpuTime(b) - cpu
	}
	n := float64(b.N)
	b.ReportMetric(baseline.Seconds()/n, "csv-s/op")
	b.ReportMetric(classify.Seconds()/n, "classify-s/op")
	b.ReportMetric(classifyCPU.Seconds()/n, "classify-cpu-s/op")
	b.ReportMetric(classify.Seconds()/baseline.Seconds(), "ratio")
}

// cpuTime is the user and system time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// generateSamples writes stations × times samples, a tenth of the stations
// lakes, with values spread over every class.
func generateSamples(samples, stations string, nStations, nTimes int) error {
	sf, err := os.Create(stations)
	if err != nil {
		return err
	}
	sw := bufio.NewWriter(sf)
	fmt.Fprintln(sw, "province,basin,section,water_body")
	for s := range nStations {
		body := "river"
		if s%10 == 0 {
			body = "lake"
		}
		fmt.Fprintf(sw, "省%02d,流域,断面%04d,%s\n", s%31, s, body)
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	sf.Close()
	f, err := os.Create(samples)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "省份,流域,断面名称,监测时间,水质类别,水温(℃),pH(无量纲),溶解氧(mg/L),电导率(μS/cm),浊度(NTU),高锰酸盐指数(mg/L),氨氮(mg/L),总磷(mg/L),总氮(mg/L),叶绿素α(mg/L),藻密度(cells/L),站点情况")
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	x := uint32(1)
	next := func() float64 { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return float64(x%10000) / 10000 }
	for s := range nStations {
		for i := range nTimes {
			tm := start.Add(time.Duration(i) * 4 * time.Hour)
			fmt.Fprintf(w, "省%02d,流域,断面%04d,%s,,%.1f,%.2f,%.2f,%.1f,%.1f,%.2f,%.3f,%.3f,%.2f,*,*,正常\n",
				s%31, s, tm.Format("2006-01-02 15:04"), 5+20*next(), 6.5+3*next(), 1+10*next(), 300+500*next(), 50*next(),
				1+16*next(), 2.2*next(), 0.45*next(), 5*next())
		}
	}
	return w.Flush()
}
