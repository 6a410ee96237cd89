package cli

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"concord/internal/i18n"
	"concord/internal/water"
)

// waterCmd is the water-quality command group. classify needs no store;
// the others work on the stored stations and readings (waterstore.go).
func waterCmd() *cobra.Command {
	return group("water", "Water quality under GB 3838-2002 and GB 3097-1997", waterClassifyCmd(),
		waterImportCmd(), waterAssessCmd(), waterStationsCmd(), waterGenerateCmd(), waterLoopCmd())
}

func waterClassifyCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "classify --stations STATIONS.csv SAMPLES…",
		Short: "Class each sample of CSV, XLSX or national-release JSON files, without a store",
		Long: `Class every sample by the national automatic stations' real-time rule (pH, DO,
CODMn, NH3-N, TP; lake TP limits at lake and reservoir sites; no class under
maintenance or stopped) and print CSV: province,section,time,class,deciding item.

STATIONS.csv has the header province,basin,section,water_body (river, lake,
reservoir); samples find their station by province and section name. A sample
whose station is not listed is classed as a river site and reported on
standard error. Files ending in .json are read as the national release
(getRealDatas), .xlsx as a workbook, anything else as CSV with one column per
item. Times written without a year (05-15 08:00) need --year, times without a
zone need --zone: nothing is guessed.`,
		Args: cobra.MinimumNArgs(1),
	}
	stationsFile := c.Flags().String("stations", "", "stations file: province,basin,section,water_body")
	year := c.Flags().Int("year", 0, "year of times written without one (the national release's MM-DD HH:MM)")
	zone := c.Flags().String("zone", "", "time zone of times written without one: an IANA name (Asia/Shanghai) or an offset (+08:00)")
	lang := c.Flags().String("lang", i18n.Default, "language of messages and item names: zh-Hans, zh-Hant or en")
	c.MarkFlagRequired("stations")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if !i18n.Valid(*lang) {
			return usageError{fmt.Errorf("--lang: %q is not zh-Hans, zh-Hant or en", *lang)}
		}
		loc, err := parseZone(*zone)
		if err != nil {
			return usageError{err}
		}
		// A batch of short-lived samples: collect garbage less often.
		debug.SetGCPercent(400)
		stations, err := readStationsFile(*stationsFile)
		if err != nil {
			return problemsError(err, *lang)
		}
		return classifyFiles(cmd.OutOrStdout(), cmd.ErrOrStderr(), water.NewClassifier(stations), args,
			water.Options{Year: *year, Zone: loc}, *lang)
	}
	return c
}

func readStationsFile(path string) (*water.Stations, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return water.ReadStations(f, path)
}

// parseZone reads --zone: "" for none, an offset such as +08:00, or an
// IANA name.
func parseZone(s string) (*time.Location, error) {
	switch {
	case s == "":
		return nil, nil
	case strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-"):
		t, err := time.Parse("-07:00", s)
		if err != nil {
			return nil, fmt.Errorf("--zone: %q is not an offset such as +08:00", s)
		}
		_, off := t.Zone()
		return time.FixedZone(s, off), nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("--zone: %v", err)
	}
	return loc, nil
}

// classifyFiles streams every file's samples through c to out as CSV and
// reports on errOut what could not be classed and the stations not found.
// Reading and classing run side by side, handing samples over in batches.
// A file that cannot be read stops the run; row problems are listed and
// make the run fail at the end, after everything else was printed.
func classifyFiles(out, errOut io.Writer, c *water.Classifier, files []string, opt water.Options, lang string) error {
	const batchSize = 1024
	batches := make(chan []water.Sample, 8)
	written := make(chan error, 1)
	var suspects []string
	go func() { written <- writeClasses(out, c, batches, lang, &suspects) }()
	batch := make([]water.Sample, 0, batchSize)
	problems := 0
	var readErr error
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			readErr = err
			break
		}
		opt.File = path
		sum, err := water.Read(f, water.FormatOf(path), opt, func(s water.Sample) error {
			if batch = append(batch, s); len(batch) == batchSize {
				batches <- batch
				batch = make([]water.Sample, 0, batchSize)
			}
			return nil
		})
		f.Close()
		if err != nil {
			readErr = problemsError(err, lang)
			break
		}
		for _, p := range sum.Problems {
			fmt.Fprintln(errOut, p.Text(lang))
		}
		if n := len(sum.Problems) + sum.MoreProblems; n > 0 {
			fmt.Fprintln(errOut, i18n.T(lang, "water.cli.problems", path, n))
			problems += n
		}
		if sum.Duplicates > 0 {
			fmt.Fprintln(errOut, i18n.T(lang, "water.cli.duplicates", path, sum.Duplicates))
		}
	}
	batches <- batch
	close(batches)
	if err := cmp.Or(readErr, <-written); err != nil {
		return err
	}
	for _, line := range suspects {
		fmt.Fprintln(errOut, line)
	}
	if un := c.Unmatched(); len(un) > 0 {
		total := 0
		for _, u := range un {
			total += u.Samples
		}
		fmt.Fprintln(errOut, i18n.T(lang, "water.cli.unmatched", total))
		for _, u := range un {
			if u.Closest != "" {
				fmt.Fprintln(errOut, i18n.T(lang, "water.cli.unmatched_suggest", u.Province, u.Section, u.Samples, u.Closest))
			} else {
				fmt.Fprintln(errOut, i18n.T(lang, "water.cli.unmatched_station", u.Province, u.Section, u.Samples))
			}
		}
	}
	if problems > 0 {
		return errors.New(i18n.T(lang, "water.cli.failed", strconv.Itoa(problems)))
	}
	return nil
}

// writeClasses classes the samples of each batch and writes them as CSV,
// listing in suspects the impossible values left out. After a write error
// it drains the batches and returns the error.
func writeClasses(out io.Writer, c *water.Classifier, batches <-chan []water.Sample, lang string, suspects *[]string) error {
	w := bufio.NewWriterSize(out, 256<<10)
	w.WriteString("province,section,time,class,deciding item\n")
	var line []byte
	var err error
	for batch := range batches {
		for _, s := range batch {
			if err != nil {
				break
			}
			r := c.Classify(s)
			for _, x := range r.Suspects {
				*suspects = append(*suspects, i18n.T(lang, "water.cli.suspect", s.Province, s.Section, s.Time.Format(time.RFC3339),
					water.GB3838.Limit(x.Item).Name(lang), water.Num(x.Value), i18n.T(lang, x.Why)))
			}
			line = appendField(line[:0], s.Province)
			line = append(line, ',')
			line = appendField(line, s.Section)
			line = append(line, ',')
			if !s.Time.IsZero() {
				line = s.Time.AppendFormat(line, time.RFC3339)
			}
			line = append(line, ',')
			line = append(line, r.Class.String()...)
			line = append(line, ',')
			if len(r.Deciding) > 0 {
				line = append(line, water.GB3838.Limit(r.Deciding[0].Item).Name(lang)...)
			}
			line = append(line, '\n')
			_, err = w.Write(line)
		}
	}
	return cmp.Or(err, w.Flush())
}

// appendField appends a CSV field, quoted when it must be.
func appendField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	return append(append(append(b, '"'), strings.ReplaceAll(s, `"`, `""`)...), '"')
}

// problemsError words a water problem (or several) in lang.
func problemsError(err error, lang string) error {
	var p water.Problem
	var ps water.Problems
	switch {
	case errors.As(err, &ps):
		lines := make([]string, len(ps))
		for i, p := range ps {
			lines[i] = p.Text(lang)
		}
		return errors.New(strings.Join(lines, "\n"))
	case errors.As(err, &p):
		return errors.New(p.Text(lang))
	}
	return err
}
