package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"concord/internal/app"
	"concord/internal/meetings"
	"concord/internal/problems"
)

// problemCmd is `concord problem list|show`: the problem list (问题清单),
// read as a user like the web does.
func problemCmd() *cobra.Command {
	return group("problem", "List and show the problem list (问题清单)", problemListCmd(), problemShowCmd())
}

func problemListCmd() *cobra.Command {
	var open bool
	c := &cobra.Command{Use: "list [--open]", Short: "List problems, newest first", Args: cobra.NoArgs}
	readFlags(c, func(cmd *cobra.Command, _ []string, a *app.App, cl contextLang) error {
		list, err := a.Problems.List(cl, problems.Filter{OpenOnly: open})
		if err != nil {
			return err
		}
		units, err := meetings.UnitNames(cl, a.DB.R, cl.lang)
		if err != nil {
			return err
		}
		rows := make([][]string, 0, len(list))
		for _, p := range list {
			handler, due := "", ""
			if p.HandlingUnitID != nil {
				handler = units[*p.HandlingUnitID]
			}
			if p.DueOn != nil {
				due = p.DueOn.String()
			}
			rows = append(rows, []string{strconv.FormatInt(p.ID, 10), cl.t("problem.status." + string(p.Status)), units[p.RaisedByUnitID],
				handler, due, p.Title})
		}
		return table(cmd.OutOrStdout(), []string{"ID", cl.t("cli.col.status"), cl.t("cli.col.raised_by"), cl.t("cli.col.handler"),
			cl.t("cli.col.due"), cl.t("cli.col.title")}, rows)
	})
	c.Flags().BoolVar(&open, "open", false, "only problems neither solved nor rejected")
	return c
}

func problemShowCmd() *cobra.Command {
	c := &cobra.Command{Use: "show ID", Short: "Show a problem: what is asked, who handles it, its answer", Args: cobra.ExactArgs(1)}
	readFlags(c, func(cmd *cobra.Command, args []string, a *app.App, cl contextLang) error {
		id, err := parseID(cmd, args[0], "a problem id")
		if err != nil {
			return err
		}
		p, err := a.Problems.Problem(cl, id)
		if err != nil {
			return err
		}
		units, err := meetings.UnitNames(cl, a.DB.R, cl.lang)
		if err != nil {
			return err
		}
		w := cmd.OutOrStdout()
		fmt.Fprintf(w, "#%d %s\n%s · %s · %s %s\n", p.ID, p.Title, cl.t("problem.category."+p.Category), cl.t("problem.status."+string(p.Status)),
			cl.t("cli.col.raised_by"), units[p.RaisedByUnitID])
		var involved []string
		for _, u := range p.UnitIDs {
			involved = append(involved, units[u])
		}
		fmt.Fprintf(w, "%s: %s\n", cl.t("cli.problem.units"), strings.Join(involved, "、"))
		for _, line := range [][2]string{{"cli.problem.description", p.Description}, {"cli.problem.ask", p.Ask}, {"cli.problem.response", p.Response}} {
			if line[1] != "" {
				fmt.Fprintf(w, "%s: %s\n", cl.t(line[0]), line[1])
			}
		}
		if p.HandlingUnitID != nil && p.DueOn != nil {
			fmt.Fprintf(w, "%s: %s · %s %s\n", cl.t("cli.col.handler"), units[*p.HandlingUnitID], cl.t("cli.col.due"), p.DueOn)
		}
		if p.Escalated {
			fmt.Fprintf(w, "%s: %s %s\n", cl.t("cli.problem.escalated"), p.EscalationReason, p.MeetingRef)
		}
		return nil
	})
	return c
}
