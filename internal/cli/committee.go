package cli

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"concord/internal/app"
	"concord/internal/meetings"
)

// committeeCmd is `concord committee list` and `concord agreement list`:
// the specialist committees and the framework agreements signed at
// meetings, read as a user like the web does.
func committeeCmd() *cobra.Command {
	c := &cobra.Command{Use: "list", Short: "List the specialist committees (专业委员会) by level", Args: cobra.NoArgs}
	readFlags(c, func(cmd *cobra.Command, _ []string, a *app.App, cl contextLang) error {
		list, err := a.Meetings.Committees(cl)
		if err != nil {
			return err
		}
		rows := make([][]string, 0, len(list))
		for _, m := range list {
			rows = append(rows, []string{strconv.FormatInt(m.ID, 10), m.Code, cl.t("committee.level." + string(m.Level)),
				strconv.Itoa(len(m.UnitIDs)), m.Name})
		}
		return table(cmd.OutOrStdout(), []string{"ID", cl.t("cli.col.code"), cl.t("cli.col.level"), cl.t("cli.col.members"), cl.t("cli.col.title")}, rows)
	})
	return group("committee", "List the specialist committees (专业委员会)", c)
}

func agreementCmd() *cobra.Command {
	c := &cobra.Command{Use: "list", Short: "List the agreements signed at meetings, the latest first", Args: cobra.NoArgs}
	readFlags(c, func(cmd *cobra.Command, _ []string, a *app.App, cl contextLang) error {
		list, err := a.Meetings.Agreements(cl, 0)
		if err != nil {
			return err
		}
		units, err := meetings.UnitNames(cl, a.DB.R, cl.lang)
		if err != nil {
			return err
		}
		rows := make([][]string, 0, len(list))
		for _, g := range list {
			parties := make([]string, len(g.UnitIDs))
			for i, u := range g.UnitIDs {
				parties[i] = units[u]
			}
			rows = append(rows, []string{strconv.FormatInt(g.ID, 10), g.SignedOn.String(), strings.Join(parties, "、"),
				strconv.Itoa(len(g.TaskIDs)), g.Title})
		}
		return table(cmd.OutOrStdout(), []string{"ID", cl.t("cli.col.date"), cl.t("cli.col.parties"), cl.t("cli.col.tasks"), cl.t("cli.col.title")}, rows)
	})
	return group("agreement", "List the framework agreements signed at meetings", c)
}
