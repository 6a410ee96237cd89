package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"concord/internal/access"
	"concord/internal/app"
	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/planio"
	"concord/internal/plans"
)

// The plan commands act as a named user (--as), whose roles decide what
// they may do, so an import from the command line is on the record under a
// person, as it would be from the web.

func importCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a plan workbook (tasks by code) or a unit's filled report workbook, all or nothing",
		Long: `Import a plan workbook (.xlsx, or .csv of its task sheet) into the plan named by
--plan, creating and updating goals and tasks by code; or, with --reports, a
unit's report workbook filled offline. Every row is checked first; with
--dry-run nothing is written and every change and problem is listed. Without
it, a file with any problem is refused as a whole.`,
		Args: cobra.ExactArgs(1),
	}
	planCode := c.Flags().String("plan", "", "code of the plan to import tasks into")
	reports := c.Flags().Bool("reports", false, "the file is a report workbook, not a plan workbook")
	dry := c.Flags().Bool("dry-run", false, "check and list the changes without writing anything")
	as := c.Flags().String("as", "", "login of the user the import acts as (a coordinator for plans, a unit's reporter for reports)")
	lang := c.Flags().String("lang", i18n.Default, "language of messages and names: zh-Hans, zh-Hant or en")
	reason := c.Flags().String("reason", "", "why a plan in force changes (its revision)")
	approved := c.Flags().String("approved-by", "", "who approved the change of a plan in force")
	c.MarkFlagRequired("as")
	settings(c.Flags())
	c.RunE = withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
		ctx, err := actAs(cmd, a, *as, *lang)
		if err != nil {
			return err
		}
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		format := planio.FormatOf(args[0])
		var pv planio.Preview
		if *reports {
			pv, err = a.Planio.ImportReports(ctx, f, format, !*dry)
		} else {
			if *planCode == "" {
				return usageError{errors.New("--plan: name the plan to import into (or give --reports)")}
			}
			p, perr := a.Plans.PlanByCode(ctx, *planCode)
			if perr != nil {
				return say(perr, *lang)
			}
			pv, err = a.Planio.ImportTasks(ctx, f, format, *lang, p.ID, plans.RevisionNote{Reason: *reason, ApprovedBy: *approved}, !*dry)
		}
		if err != nil {
			return say(err, *lang)
		}
		printPreview(cmd.OutOrStdout(), pv, *lang)
		if len(pv.Problems) > 0 {
			return fmt.Errorf("%d problem(s): nothing was imported", len(pv.Problems))
		}
		return nil
	})
	return c
}

func printPreview(w io.Writer, pv planio.Preview, lang string) {
	for _, r := range pv.Rows {
		fmt.Fprintf(w, "row %d\t%s\t%s\n", r.Row, r.Code, r.Action)
		for _, ch := range r.Changes {
			if ch.Field != "" {
				fmt.Fprintf(w, "\t%s %s: %s → %s\n", i18n.T(lang, "change."+string(ch.Kind)), ch.Field, ch.From, ch.To)
			}
		}
	}
	for _, p := range pv.Problems {
		fmt.Fprintf(w, "%s\t%s\n", p.Ref(), p.Text(lang))
	}
	switch {
	case pv.Committed:
		fmt.Fprintf(w, "imported %d row(s)\n", len(pv.Rows))
	case len(pv.Problems) == 0:
		fmt.Fprintf(w, "dry run: %d row(s) would be imported; nothing was written\n", len(pv.Rows))
	}
}

func exportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "export template|plan|reports",
		Short: "Write a plan template, a plan's workbook or a unit's report workbook (.xlsx)",
		Long: `Write a workbook to --out (or standard output):
  template   an empty plan workbook with drop-down lists of units and areas
  plan       the plan named by --plan, ready to edit and import again
  reports    the open reports of the unit named by --unit, to fill offline`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"template", "plan", "reports"},
	}
	planCode := c.Flags().String("plan", "", "code of the plan (for plan)")
	unitCode := c.Flags().String("unit", "", "code of the unit (for reports)")
	out := c.Flags().StringP("out", "o", "", "file to write; standard output if not given")
	as := c.Flags().String("as", "", "login of the user the export acts as")
	lang := c.Flags().String("lang", i18n.Default, "language of the workbook: zh-Hans, zh-Hant or en")
	c.MarkFlagRequired("as")
	settings(c.Flags())
	c.RunE = withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
		ctx, err := actAs(cmd, a, *as, *lang)
		if err != nil {
			return err
		}
		w := cmd.OutOrStdout()
		if *out != "" {
			f, err := os.Create(*out)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		switch args[0] {
		case "template":
			err = a.Planio.TaskTemplate(ctx, w, *lang, 0)
		case "plan":
			p, perr := a.Plans.PlanByCode(ctx, *planCode)
			if perr != nil {
				return say(perr, *lang)
			}
			err = a.Planio.TaskTemplate(ctx, w, *lang, p.ID)
		case "reports":
			u, uerr := a.Alliance.UnitByCode(ctx, *unitCode)
			if uerr != nil {
				return say(uerr, *lang)
			}
			err = a.Planio.ReportTemplate(ctx, w, *lang, u.ID)
		default:
			return usageError{fmt.Errorf("export what? template, plan or reports")}
		}
		return say(err, *lang)
	})
	return c
}

// actAs is the command's context acting as the active user with login,
// once the language asked for is known to be one of ours.
func actAs(cmd *cobra.Command, a *app.App, login, lang string) (context.Context, error) {
	if !i18n.Valid(lang) {
		return nil, usageError{fmt.Errorf("--lang: want zh-Hans, zh-Hant or en")}
	}
	u, err := a.Accounts.UserByLogin(cmd.Context(), login)
	if err != nil {
		return nil, fmt.Errorf("--as %s: %w", login, err)
	}
	if u.Disabled {
		return nil, fmt.Errorf("--as %s: the account is disabled", login)
	}
	return access.WithActor(cmd.Context(), &access.Actor{UserID: u.ID, Login: u.Login, UnitID: u.UnitID, Roles: u.Roles, RequestID: "cli"}), nil
}

// say words a service error in lang, with each field's message.
func say(err error, lang string) error {
	e, ok := errs.As(err)
	if !ok {
		return err
	}
	msg := i18n.T(lang, e.Key, e.Args...)
	for _, f := range e.Fields {
		msg += fmt.Sprintf("; %s: %s", f.Field, i18n.T(lang, f.Key, f.Args...))
	}
	return errors.New(msg)
}
