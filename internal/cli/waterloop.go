package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"concord/internal/app"
	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/waterstore"
)

func waterLoopCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "loop --month YYYY-MM",
		Short: "Run the water accountability loop for a month that is over",
		Long: `Evaluate a month as the daily job does after the month's grace days: each
station off its target class opens one rectification item for the unit that
answers for it (or adds the month to its open item), and a station that
complies again closes its loop, its item marked for verification. A month is
evaluated once whoever runs it; running it again changes nothing. Months are
evaluated in order: one before the last evaluated is refused.
Prints the items opened, extended and closed.`,
		Args: cobra.NoArgs,
	}
	as := c.Flags().String("as", "", "login of the user the command acts as (a coordinator)")
	month := c.Flags().String("month", "", "the month, YYYY-MM")
	lang := c.Flags().String("lang", i18n.Default, "language of messages: zh-Hans, zh-Hant or en")
	c.MarkFlagRequired("as")
	c.MarkFlagRequired("month")
	settings(c.Flags())
	c.RunE = withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
		ctx, err := actAs(cmd, a, *as, *lang)
		if err != nil {
			return err
		}
		p, err := waterstore.ParsePeriod(*month)
		if err != nil || p.From != p.To || len(*month) != 7 {
			return usageError{fmt.Errorf("--month: %w", say(errs.New(errs.Invalid, "error.water.month", *month), *lang))}
		}
		r, err := a.WaterAccount.Run(ctx, p.From)
		if err != nil {
			return say(err, *lang)
		}
		out := cmd.OutOrStdout()
		if r.Already {
			fmt.Fprintln(out, i18n.T(*lang, "wateraccount.cli.already", r.Month))
			return nil
		}
		fmt.Fprintln(out, i18n.T(*lang, "wateraccount.cli.done", r.Month, len(r.Opened), len(r.Extended), len(r.Regained), len(r.Ended)))
		for _, list := range []struct {
			key string
			ids []int64
		}{{"wateraccount.cli.opened", r.Opened}, {"wateraccount.cli.extended", r.Extended}, {"wateraccount.cli.regained", r.Regained}, {"wateraccount.cli.ended", r.Ended}} {
			for _, id := range list.ids {
				fmt.Fprintln(out, i18n.T(*lang, list.key, "/rectifications/"+strconv.FormatInt(id, 10)))
			}
		}
		for _, code := range r.Unowned {
			fmt.Fprintln(cmd.ErrOrStderr(), i18n.T(*lang, "wateraccount.cli.unowned", code))
		}
		return nil
	})
	return c
}
