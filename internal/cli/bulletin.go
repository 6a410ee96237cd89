package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"concord/internal/app"
	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/i18n"
)

// bulletinCmd is `concord bulletin draft|publish|write`: the supervision
// bulletin from the command line, acting as a user like the web does.
func bulletinCmd() *cobra.Command {
	return group("bulletin", "Draft, publish and write supervision bulletins (督查通报)", bulletinDraftCmd(), bulletinPublishCmd(), bulletinWriteCmd())
}

func bulletinDraftCmd() *cobra.Command {
	c := &cobra.Command{Use: "draft", Short: "Draft a bulletin for a period and print its id", Args: cobra.NoArgs}
	var in bulletin.Input
	var from, to, notes string
	c.Flags().StringVar(&in.Title, "title", "", "title")
	c.Flags().StringVar(&in.Number, "number", "", "document number, e.g. 辽沿海办督〔2026〕3号")
	c.Flags().StringVar(&in.Issuer, "issuer", "", "issuing office")
	c.Flags().StringVar(&from, "from", "", "first day of the period, YYYY-MM-DD")
	c.Flags().StringVar(&to, "to", "", "last day of the period, YYYY-MM-DD")
	c.Flags().StringVar(&notes, "notes", "", "file of good-practice notes, one a line")
	as := c.Flags().String("as", "", "login of the coordinator who drafts it")
	c.Flags().StringVar(&in.Lang, "lang", i18n.Default, "language of the bulletin: zh-Hans, zh-Hant or en")
	c.MarkFlagRequired("as")
	settings(c.Flags())
	c.RunE = withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
		ctx, err := actAs(cmd, a, *as, in.Lang)
		if err != nil {
			return err
		}
		for _, d := range []struct {
			flag string
			text string
			into *clock.Date
		}{{"--from", from, &in.PeriodFrom}, {"--to", to, &in.PeriodTo}} {
			if *d.into, err = clock.ParseDate(d.text); err != nil {
				return usageError{fmt.Errorf("%s: want YYYY-MM-DD", d.flag)}
			}
		}
		if notes != "" {
			text, err := os.ReadFile(notes)
			if err != nil {
				return err
			}
			in.Notes = string(text)
		}
		b, err := a.Bulletins.Create(ctx, in)
		if err != nil {
			return say(err, in.Lang)
		}
		fmt.Fprintln(cmd.OutOrStdout(), b.ID)
		return nil
	})
	return c
}

func bulletinPublishCmd() *cobra.Command {
	c := &cobra.Command{Use: "publish ID", Short: "Publish a draft: its content is fixed from then on", Args: cobra.ExactArgs(1)}
	as := c.Flags().String("as", "", "login of the coordinator who publishes it")
	c.MarkFlagRequired("as")
	settings(c.Flags())
	c.RunE = withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
		id, err := parseID(cmd, args[0], "a bulletin id")
		if err != nil {
			return err
		}
		ctx, err := actAs(cmd, a, *as, i18n.Default)
		if err != nil {
			return err
		}
		s := a.Bulletins
		b, err := s.Bulletin(ctx, id)
		if err == nil {
			b, err = s.Publish(ctx, id, b.Version)
		}
		if err != nil {
			return say(err, i18n.Default)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%d published %s\n", b.ID, b.IssuedOn)
		return nil
	})
	return c
}

func bulletinWriteCmd() *cobra.Command {
	c := &cobra.Command{Use: "write ID", Short: "Write a bulletin as html, pdf (needs Chromium), docx or xlsx", Args: cobra.ExactArgs(1)}
	format := c.Flags().String("format", "html", "html, pdf, docx or xlsx")
	out := c.Flags().StringP("out", "o", "", "file to write; standard output if not given")
	as := c.Flags().String("as", "", "login of the user it is written for")
	c.MarkFlagRequired("as")
	settings(c.Flags())
	c.RunE = withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
		id, err := parseID(cmd, args[0], "a bulletin id")
		if err != nil {
			return err
		}
		if _, ok := bulletin.Formats[*format]; !ok {
			return usageError{fmt.Errorf("--format: want html, pdf, docx or xlsx")}
		}
		ctx, err := actAs(cmd, a, *as, i18n.Default)
		if err != nil {
			return err
		}
		_, doc, err := a.Bulletins.Document(ctx, id)
		if err != nil {
			return say(err, i18n.Default)
		}
		return say(writeTo(cmd, *out, func(w io.Writer) error { return doc.Write(ctx, w, *format) }), doc.Lang)
	})
	return c
}
