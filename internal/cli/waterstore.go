package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"concord/internal/app"
	"concord/internal/i18n"
	"concord/internal/water"
	"concord/internal/waterstore"
)

// The stored water commands act as a named user (--as), like the plan
// commands, so an import is on the record under a person.

func waterImportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "import FILE…",
		Short: "Store the readings of CSV, XLSX or national-release JSON files, each all or nothing",
		Long: `Store every sample of each file as readings of the registered stations (found
by province and section name). A file with any row problem or unknown station
is refused as a whole, with every problem listed. Loading the same data again
changes nothing; a value that differs from the stored one is reported as a
conflict and the stored value kept, unless --replace makes it a correction.
Physically impossible values are stored flagged suspect and left out of
assessment. Times written without a year need --year, without a zone --zone.`,
		Args: cobra.MinimumNArgs(1),
	}
	as := c.Flags().String("as", "", "login of the user the import acts as (a coordinator)")
	year := c.Flags().Int("year", 0, "year of times written without one (the national release's MM-DD HH:MM)")
	zone := c.Flags().String("zone", "", "time zone of times written without one: an IANA name (Asia/Shanghai) or an offset (+08:00)")
	replace := c.Flags().Bool("replace", false, "values that differ from the stored ones correct them (otherwise the stored value is kept)")
	lang := c.Flags().String("lang", i18n.Default, "language of messages: zh-Hans, zh-Hant or en")
	c.MarkFlagRequired("as")
	settings(c.Flags())
	c.RunE = withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
		ctx, err := actAs(cmd, a, *as, *lang)
		if err != nil {
			return err
		}
		loc, err := parseZone(*zone)
		if err != nil {
			return usageError{err}
		}
		out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
		refused := 0
		for _, path := range args {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			bar := newProgressBar(errOut, path, f)
			rep, err := a.Water.Ingest(ctx, f, waterstore.IngestOptions{Options: water.Options{File: path, Year: *year, Zone: loc},
				Format: water.FormatOf(path), Replace: *replace, Progress: bar.update})
			f.Close()
			bar.done()
			if err != nil {
				return problemsError(say(err, *lang), *lang)
			}
			for _, p := range rep.Problems {
				fmt.Fprintln(errOut, p.Text(*lang))
			}
			for _, p := range rep.Conflicts {
				fmt.Fprintln(errOut, p.Text(*lang))
			}
			if !rep.OK() {
				refused++
				fmt.Fprintln(errOut, i18n.T(*lang, "waterstore.cli.refused", path, len(rep.Problems)+rep.MoreProblems))
				continue
			}
			fmt.Fprintln(out, i18n.T(*lang, "waterstore.cli.imported", path, rep.Samples, rep.Inserted, rep.Duplicates,
				rep.ConflictCount, rep.Replaced, rep.Suspects))
		}
		if refused > 0 {
			return fmt.Errorf("%d of %d file(s) refused", refused, len(args))
		}
		return nil
	})
	return c
}

// progressBar draws a file's progress on a terminal line, at most a few
// times a second.
type progressBar struct {
	w     io.Writer
	name  string
	size  int64
	shown time.Time
}

func newProgressBar(w io.Writer, name string, f *os.File) *progressBar {
	b := &progressBar{w: w, name: name}
	if fi, err := f.Stat(); err == nil {
		b.size = fi.Size()
	}
	return b
}

func (b *progressBar) update(read int64) {
	if now := time.Now(); now.Sub(b.shown) >= 200*time.Millisecond {
		b.shown = now
		b.draw(read)
	}
}

func (b *progressBar) draw(read int64) {
	const width = 30
	if b.size <= 0 {
		fmt.Fprintf(b.w, "\r%s %d MB", b.name, read>>20)
		return
	}
	n := int(min(read, b.size) * width / b.size)
	fmt.Fprintf(b.w, "\r%s [%s%s] %3d%% %d/%d MB", b.name, strings.Repeat("#", n), strings.Repeat(" ", width-n),
		min(read, b.size)*100/b.size, read>>20, b.size>>20)
}

func (b *progressBar) done() {
	if !b.shown.IsZero() {
		b.draw(b.size)
		fmt.Fprintln(b.w)
	}
}

func waterAssessCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "assess --period 2020-05|2020Q2|2020|2020-03..2020-08",
		Short: "Assess every station with readings over a period: class, grade, main pollutants, target",
		Long: `Print, for every station with readings in the period, CSV:
code,province,section,class,grade,main pollutants,target,compliant,explanation.
The period means of the normal values (from the month sums kept at ingest) are
classed by single factor over the 21 items of GB 3838-2002 (sea points under
GB 3097-1997), graded, with main pollutants and compliance with the target
class.`,
		Args: cobra.NoArgs,
	}
	as := c.Flags().String("as", "", "login of the user the command acts as")
	period := c.Flags().String("period", "", "a month (2020-05), quarter (2020Q2), year (2020) or span of months (2020-03..2020-08)")
	lang := c.Flags().String("lang", i18n.Default, "language of names and explanations: zh-Hans, zh-Hant or en")
	c.MarkFlagRequired("as")
	c.MarkFlagRequired("period")
	settings(c.Flags())
	c.RunE = withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
		ctx, err := actAs(cmd, a, *as, *lang)
		if err != nil {
			return err
		}
		p, err := waterstore.ParsePeriod(*period)
		if err != nil {
			return usageError{fmt.Errorf("--period: %w", say(err, *lang))}
		}
		list, err := a.Water.Assess(ctx, p)
		if err != nil {
			return say(err, *lang)
		}
		return writeAssessments(cmd.OutOrStdout(), list, *lang)
	})
	return c
}

func writeAssessments(out io.Writer, list []waterstore.StationAssessment, lang string) error {
	w := csv.NewWriter(out)
	w.Write([]string{"code", "province", "section", "class", "grade", "main pollutants", "target", "compliant", "explanation"})
	for _, a := range list {
		std := a.Standard()
		labels := make([]string, len(a.Pollutants))
		for i, p := range a.Pollutants {
			labels[i] = p.Label(lang)
		}
		grade := ""
		if a.Grade != water.NoGrade {
			grade = a.Grade.Name(lang)
		}
		compliant := ""
		if a.Target != water.NoClass && a.Class != water.NoClass {
			compliant = strconv.FormatBool(a.Compliant)
		}
		w.Write([]string{a.Station.Code, a.Station.Province, a.Station.NameZh, std.ClassName(a.Class), grade,
			strings.Join(labels, "、"), std.ClassName(a.Target), compliant, a.Explain(lang)})
	}
	w.Flush()
	return w.Error()
}

func waterStationsCmd() *cobra.Command {
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Create and update stations by code from a stations file (.csv or .xlsx), all or nothing",
		Args:  cobra.ExactArgs(1),
	}
	exp := &cobra.Command{
		Use:   "export FILE",
		Short: "Write every station to a stations file (.csv or .xlsx) that imports again unchanged",
		Args:  cobra.ExactArgs(1),
	}
	for _, c := range []*cobra.Command{imp, exp} {
		c.Flags().String("as", "", "login of the user the command acts as")
		c.Flags().String("lang", i18n.Default, "language of messages and headers: zh-Hans, zh-Hant or en")
		c.MarkFlagRequired("as")
		settings(c.Flags())
	}
	flags := func(cmd *cobra.Command) (as, lang string) {
		as, _ = cmd.Flags().GetString("as")
		lang, _ = cmd.Flags().GetString("lang")
		return as, lang
	}
	imp.RunE = withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
		as, lang := flags(cmd)
		ctx, err := actAs(cmd, a, as, lang)
		if err != nil {
			return err
		}
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		res, err := a.Water.ImportStations(ctx, f, stationFormat(args[0]))
		if err != nil {
			return say(err, lang)
		}
		for _, p := range res.Problems {
			fmt.Fprintln(cmd.ErrOrStderr(), p.Text(lang))
		}
		if len(res.Problems) > 0 {
			return fmt.Errorf("%d problem(s): nothing was imported", len(res.Problems))
		}
		fmt.Fprintln(cmd.OutOrStdout(), i18n.T(lang, "waterstore.cli.stations", res.Created, res.Updated, res.Unchanged))
		return nil
	})
	exp.RunE = withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
		as, lang := flags(cmd)
		ctx, err := actAs(cmd, a, as, lang)
		if err != nil {
			return err
		}
		f, err := os.Create(args[0])
		if err != nil {
			return err
		}
		if err := a.Water.ExportStations(ctx, f, stationFormat(args[0]), lang); err != nil {
			f.Close()
			return say(err, lang)
		}
		return f.Close()
	})
	return group("stations", "Import and export the monitoring stations", imp, exp)
}

// stationFormat is csv for a .csv file, xlsx otherwise.
func stationFormat(name string) string {
	if strings.HasSuffix(strings.ToLower(name), ".csv") {
		return "csv"
	}
	return "xlsx"
}

func waterGenerateCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "generate --out SAMPLES.csv --stations-out STATIONS.csv",
		Short: "Write generated sample data for the ingest benchmark: stations and a year of samples",
		Long: `Write a stations file and a wide CSV of samples: --stations stations sampled
every --every through --year, nine items each (water temperature, pH, DO,
CODMn, NH3-N, TP, TN, conductivity, turbidity), station by station in time
order, with plausible values. The defaults make the benchmark's file: 2,000
stations, 4-hourly, about 4.4 million rows. Import the stations first
(concord water stations import), then the samples (concord water import).
The data is generated, not measured: do not mistake it for real readings.`,
		Args: cobra.NoArgs,
	}
	out := c.Flags().String("out", "", "samples file to write")
	stationsOut := c.Flags().String("stations-out", "", "stations file to write")
	g := waterstore.Generated{}
	c.Flags().IntVar(&g.Stations, "stations", 2000, "number of stations")
	c.Flags().IntVar(&g.Year, "year", 2020, "year sampled")
	c.Flags().DurationVar(&g.Every, "every", 4*time.Hour, "time between samples")
	c.Flags().Uint64Var(&g.Seed, "seed", 1, "seed of the values")
	c.MarkFlagRequired("out")
	c.MarkFlagRequired("stations-out")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if g.Stations < 1 || g.Every < time.Minute {
			return usageError{fmt.Errorf("--stations must be at least 1 and --every at least 1m")}
		}
		if err := createFile(*stationsOut, func(w io.Writer) error { return g.WriteStations(w) }); err != nil {
			return err
		}
		rows := 0
		err := createFile(*out, func(w io.Writer) (err error) {
			rows, err = g.WriteSamples(w)
			return err
		})
		if err == nil {
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d stations to %s and %d samples to %s\n", g.Stations, *stationsOut, rows, *out)
		}
		return err
	}
	return c
}

// createFile creates path and writes it with fn.
func createFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
