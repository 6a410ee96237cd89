package cli

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"concord/internal/i18n"
	"concord/internal/water"
)

// waterCmd is the water-quality command group. classify needs no store.
func waterCmd() *cobra.Command {
	return group("water", "Water quality under GB 3838-2002 and GB 3097-1997", waterClassifyCmd())
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
// A file that cannot be read stops the run; row problems are listed and
// make the run fail at the end, after everything else was printed.
func classifyFiles(out, errOut io.Writer, c *water.Classifier, files []string, opt water.Options, lang string) error {
	bw := bufio.NewWriterSize(out, 256<<10)
	w := csv.NewWriter(bw)
	w.Write([]string{"province", "section", "time", "class", "deciding item"})
	rec := make([]string, 5)
	var timeBuf []byte
	problems := 0
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		opt.File = path
		sum, err := water.Read(f, water.FormatOf(path), opt, func(s water.Sample) error {
			r := c.Classify(s)
			rec[0], rec[1], rec[3], rec[4] = s.Province, s.Section, r.Class.String(), ""
			rec[2] = ""
			if !s.Time.IsZero() {
				timeBuf = s.Time.AppendFormat(timeBuf[:0], time.RFC3339)
				rec[2] = string(timeBuf)
			}
			if len(r.Deciding) > 0 {
				rec[4] = water.GB3838.Limit(r.Deciding[0].Item).Name(lang)
			}
			return w.Write(rec)
		})
		f.Close()
		if err != nil {
			w.Flush()
			bw.Flush()
			return problemsError(err, lang)
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
	w.Flush()
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := w.Error(); err != nil {
		return err
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
