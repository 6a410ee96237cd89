package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"concord/internal/app"
	"concord/internal/clock"
	"concord/internal/inspect"
	"concord/internal/meetings"
)

// inspectionCmd is `concord inspection list|show`: inspection rounds with
// their findings and rectification items, read as a user like the web does.
func inspectionCmd() *cobra.Command {
	return group("inspection", "List and show inspection rounds (督查检查) with findings and rectifications", inspectionListCmd(), inspectionShowCmd())
}

func inspectionListCmd() *cobra.Command {
	c := &cobra.Command{Use: "list", Short: "List inspection rounds, latest first", Args: cobra.NoArgs}
	readFlags(c, func(cmd *cobra.Command, _ []string, a *app.App, cl contextLang) error {
		rounds, err := a.Inspect.Rounds(cl)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, r := range rounds {
			findings, err := a.Inspect.Findings(cl, r.ID)
			if err != nil {
				return err
			}
			rows = append(rows, []string{strconv.FormatInt(r.ID, 10), r.StartsOn.String() + " – " + r.EndsOn.String(),
				cl.t("inspection.status." + string(r.Status)), strconv.Itoa(len(findings)), r.Title})
		}
		return table(cmd.OutOrStdout(), []string{"ID", cl.t("cli.col.dates"), cl.t("cli.col.status"), cl.t("cli.col.findings"), cl.t("cli.col.title")}, rows)
	})
	return c
}

func inspectionShowCmd() *cobra.Command {
	c := &cobra.Command{Use: "show ID", Short: "Show an inspection round: its findings and their rectification items", Args: cobra.ExactArgs(1)}
	readFlags(c, func(cmd *cobra.Command, args []string, a *app.App, cl contextLang) error {
		id, err := parseID(cmd, args[0], "an inspection round id")
		if err != nil {
			return err
		}
		r, err := a.Inspect.Round(cl, id)
		if err != nil {
			return err
		}
		findings, err := a.Inspect.Findings(cl, id)
		if err != nil {
			return err
		}
		units, err := meetings.UnitNames(cl, a.DB.R, cl.lang)
		if err != nil {
			return err
		}
		w := cmd.OutOrStdout()
		fmt.Fprintf(w, "%s\n%s – %s · %s\n", r.Title, r.StartsOn, r.EndsOn, cl.t("inspection.status."+string(r.Status)))
		if r.Summary != "" {
			fmt.Fprintln(w, r.Summary)
		}
		today := clock.Today(a.Inspect.Clock)
		for i, f := range findings {
			fmt.Fprintf(w, "\n%s %d · %s · %s\n  %s\n", cl.t("cli.inspection.finding"), i+1, units[f.UnitID], cl.t("finding.severity."+string(f.Severity)), f.Description)
			items, err := a.Inspect.Rectifications(cl, inspect.RectFilter{SourceKind: inspect.SourceFinding, SourceRef: strconv.FormatInt(f.ID, 10)})
			if err != nil {
				return err
			}
			for _, it := range items {
				state := cl.t("rectification.status." + string(it.Status))
				if it.Overdue(today) {
					state += " · " + cl.t("cli.inspection.overdue")
				}
				fmt.Fprintf(w, "  #%d %s · %s %s · %s\n", it.ID, it.Requirement, cl.t("cli.inspection.due"), it.DueOn, state)
			}
		}
		return nil
	})
	return c
}
