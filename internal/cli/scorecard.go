package cli

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"concord/internal/app"
	"concord/internal/clock"
	"concord/internal/scores"
)

// scorecardCmd is `concord scorecard compute|show`: a period's scorecard
// computed from live data as a draft, and a scorecard's results.
func scorecardCmd() *cobra.Command {
	return group("scorecard", "Compute and show scorecards (考核评价)", scorecardComputeCmd(), scorecardShowCmd())
}

var periodPattern = regexp.MustCompile(`^(\d{4})(?:-(Q[1-4]|\d{2}))?$`)

// parsePeriod reads a period: 2026 (a year), 2026-Q3 (a quarter) or
// 2026-07 (a month).
func parsePeriod(s string) (kind string, start clock.Date, err error) {
	m := periodPattern.FindStringSubmatch(s)
	if m == nil {
		return "", clock.Date{}, usageError{fmt.Errorf("--period: want a year (2026), a quarter (2026-Q3) or a month (2026-07), not %q", s)}
	}
	year, _ := strconv.Atoi(m[1])
	switch p := m[2]; {
	case p == "":
		return scores.Year, clock.DateOf(year, time.January, 1), nil
	case p[0] == 'Q':
		return scores.Quarter, clock.DateOf(year, time.Month(3*int(p[1]-'1')+1), 1), nil
	default:
		month, _ := strconv.Atoi(p)
		if month < 1 || month > 12 {
			return "", clock.Date{}, usageError{fmt.Errorf("--period: %q has no month %d", s, month)}
		}
		return scores.Month, clock.DateOf(year, time.Month(month), 1), nil
	}
}

func scorecardComputeCmd() *cobra.Command {
	c := &cobra.Command{Use: "compute", Short: "Compute a period's scorecard from live data as a draft, print its id and results", Args: cobra.NoArgs}
	period := c.Flags().String("period", "", "2026 (a year), 2026-Q3 (a quarter) or 2026-07 (a month)")
	model := c.Flags().Int64("model", 0, "scoring model id; may be left out when there is only one model")
	title := c.Flags().String("title", "", "title; the period's by default")
	c.MarkFlagRequired("period")
	readFlags(c, func(cmd *cobra.Command, _ []string, a *app.App, cl contextLang) error {
		kind, start, err := parsePeriod(*period)
		if err != nil {
			return err
		}
		if *model == 0 {
			ms, err := a.Scores.Models(cl)
			if err != nil {
				return err
			}
			if len(ms) != 1 {
				return usageError{fmt.Errorf("--model: there are %d scoring models; name one", len(ms))}
			}
			*model = ms[0].ID
		}
		if *title == "" {
			*title = cl.t("cli.scorecard.title", *period)
		}
		sc, err := a.Scores.CreateScorecard(cl, scores.ScorecardInput{ModelID: *model, Title: *title, PeriodKind: kind, StartsOn: start})
		if err != nil {
			return err
		}
		return printScorecard(cmd.OutOrStdout(), a, cl, sc.ID)
	})
	return c
}

func scorecardShowCmd() *cobra.Command {
	c := &cobra.Command{Use: "show [ID]", Short: "Show a scorecard's results: by id, or the latest for --period", Args: cobra.MaximumNArgs(1)}
	period := c.Flags().String("period", "", "2026 (a year), 2026-Q3 (a quarter) or 2026-07 (a month)")
	readFlags(c, func(cmd *cobra.Command, args []string, a *app.App, cl contextLang) error {
		if (len(args) == 1) == (*period != "") {
			return usageError{errors.New("show: give a scorecard id or --period, one of them")}
		}
		if len(args) == 1 {
			id, err := parseID(cmd, args[0], "a scorecard id")
			if err != nil {
				return err
			}
			return printScorecard(cmd.OutOrStdout(), a, cl, id)
		}
		kind, start, err := parsePeriod(*period)
		if err != nil {
			return err
		}
		cards, err := a.Scores.Scorecards(cl)
		if err != nil {
			return err
		}
		// The published one if any, else the latest draft.
		var found *scores.Scorecard
		for _, sc := range cards {
			if sc.PeriodKind == kind && sc.StartsOn == start && (found == nil || found.Status != scores.Published && sc.Status == scores.Published) {
				found = &sc
			}
		}
		if found == nil {
			return errors.New(cl.t("cli.scorecard.none", *period))
		}
		return printScorecard(cmd.OutOrStdout(), a, cl, found.ID)
	})
	return c
}

// printScorecard writes a scorecard's heading and its units' points,
// ranked.
func printScorecard(w io.Writer, a *app.App, cl contextLang, id int64) error {
	sc, cards, err := a.Scores.Results(cl, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d %s\n%s – %s · %s · %s\n\n", sc.ID, sc.Title, sc.StartsOn, sc.EndsOn, cl.t("score.status."+string(sc.Status)), cl.t("cli.scorecard.revision", sc.Revision))
	head := []string{cl.t("cli.col.rank"), cl.t("cli.col.unit"), cl.t("cli.col.total")}
	for _, it := range sc.Items {
		head = append(head, fmt.Sprintf("%s(%s)", it.Label, num(it.Weight)))
	}
	var rows [][]string
	for _, u := range cards {
		row := []string{strconv.Itoa(u.Rank), u.Name.In(cl.lang), num(u.Total)}
		for _, s := range u.Scores {
			cell := num(s.Points)
			if s.AppealID != nil {
				cell += "*"
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	if err := table(w, head, rows); err != nil {
		return err
	}
	fmt.Fprintln(w, cl.t("cli.scorecard.note"))
	return nil
}

// num writes points with at most two decimals.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
