package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"concord/internal/app"
	"concord/internal/i18n"
	"concord/internal/meetings"
)

// meetingCmd is `concord meeting list|show|brief`: joint meetings and the
// brief for the next one, read as a user like the web does.
func meetingCmd() *cobra.Command {
	return group("meeting", "List and show joint meetings (联席会议) and write their briefs", meetingListCmd(), meetingShowCmd(), meetingBriefCmd())
}

// readFlags registers --as and --lang, the flags of every read command, and
// the settings; run gets the actor's context and the language.
func readFlags(c *cobra.Command, run func(cmd *cobra.Command, args []string, a *app.App, ctx contextLang) error) {
	as := c.Flags().String("as", "", "login of the user it is read as")
	lang := c.Flags().String("lang", i18n.Default, "language: zh-Hans, zh-Hant or en")
	c.MarkFlagRequired("as")
	settings(c.Flags())
	c.RunE = withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
		ctx, err := actAs(cmd, a, *as, *lang)
		if err != nil {
			return err
		}
		return say(run(cmd, args, a, contextLang{ctx, *lang}), *lang)
	})
}

func meetingListCmd() *cobra.Command {
	c := &cobra.Command{Use: "list", Short: "List meetings, latest first", Args: cobra.NoArgs}
	readFlags(c, func(cmd *cobra.Command, _ []string, a *app.App, cl contextLang) error {
		list, err := a.Meetings.Meetings(cl, meetings.Filter{})
		if err != nil {
			return err
		}
		units, err := meetings.UnitNames(cl, a.DB.R, cl.lang)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, m := range list {
			rows = append(rows, []string{strconv.FormatInt(m.ID, 10), m.HeldOn.String(), cl.t("meeting.kind." + string(m.Kind)),
				cl.t("meeting.status." + string(m.Status)), units[m.HostUnitID], m.Title})
		}
		return table(cmd.OutOrStdout(), []string{"ID", cl.t("cli.col.date"), cl.t("cli.col.kind"), cl.t("cli.col.status"), cl.t("cli.col.host"), cl.t("cli.col.title")}, rows)
	})
	return c
}

func meetingShowCmd() *cobra.Command {
	c := &cobra.Command{Use: "show ID", Short: "Show a meeting: attendees, agenda and decisions", Args: cobra.ExactArgs(1)}
	readFlags(c, func(cmd *cobra.Command, args []string, a *app.App, cl contextLang) error {
		id, err := parseID(cmd, args[0], "a meeting id")
		if err != nil {
			return err
		}
		m, err := a.Meetings.Meeting(cl, id)
		if err != nil {
			return err
		}
		ds, err := a.Meetings.Decisions(cl, meetings.DecisionFilter{MeetingID: id})
		if err != nil {
			return err
		}
		units, err := meetings.UnitNames(cl, a.DB.R, cl.lang)
		if err != nil {
			return err
		}
		w := cmd.OutOrStdout()
		fmt.Fprintf(w, "%s\n%s %s · %s · %s · %s\n", m.Title, m.HeldOn, m.Place, cl.t("meeting.kind."+string(m.Kind)), cl.t("meeting.status."+string(m.Status)), units[m.HostUnitID])
		fmt.Fprintf(w, "\n%s\n", cl.t("cli.meeting.attendees"))
		for _, at := range m.Attendees {
			fmt.Fprintf(w, "  %s · %s %s\n", cl.t("meeting.role."+string(at.Role)), units[at.UnitID], at.Person)
		}
		fmt.Fprintf(w, "\n%s\n", cl.t("cli.meeting.agenda"))
		for i, it := range m.Agenda {
			fmt.Fprintf(w, "  %d. %s\n", i+1, it.Title)
		}
		fmt.Fprintf(w, "\n%s\n", cl.t("cli.meeting.decisions"))
		var rows [][]string
		for _, d := range ds {
			var tasks []string
			for _, t := range d.TaskIDs {
				tasks = append(tasks, strconv.FormatInt(t, 10))
			}
			rows = append(rows, []string{strconv.FormatInt(d.ID, 10), units[d.LeadUnitID], d.DueOn.String(),
				cl.t("meeting.decision.status." + string(d.Status)), strings.Join(tasks, ","), d.Text})
		}
		if err := table(w, []string{"ID", cl.t("meeting.col.lead_unit"), cl.t("meeting.col.due_on"), cl.t("meeting.col.status"), cl.t("meeting.col.tasks"), cl.t("meeting.col.decision")}, rows); err != nil {
			return err
		}
		if m.Minutes != "" {
			fmt.Fprintf(w, "\n%s\n%s\n", cl.t("cli.meeting.minutes"), m.Minutes)
		}
		return nil
	})
	return c
}

func meetingBriefCmd() *cobra.Command {
	c := &cobra.Command{Use: "brief ID", Short: "Write the brief for a meeting from live data, as an html page or an xlsx workbook", Args: cobra.ExactArgs(1)}
	format := c.Flags().String("format", "html", "html or xlsx")
	out := c.Flags().StringP("out", "o", "", "file to write; standard output if not given")
	readFlags(c, func(cmd *cobra.Command, args []string, a *app.App, cl contextLang) error {
		id, err := parseID(cmd, args[0], "a meeting id")
		if err != nil {
			return err
		}
		if *format != "html" && *format != "xlsx" {
			return usageError{fmt.Errorf("--format: want html or xlsx")}
		}
		b, err := a.Meetings.Brief(cl, id, cl.lang, a.BriefSections...)
		if err != nil {
			return err
		}
		return writeTo(cmd, *out, func(w io.Writer) error {
			if *format == "xlsx" {
				return b.XLSX(w, cl.t)
			}
			return b.Page(w, cl.t)
		})
	})
	return c
}
