package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"concord/internal/i18n"
)

// parseID reads a positional id argument; what names the thing it is for
// the error, e.g. "a meeting id".
func parseID(cmd *cobra.Command, arg, what string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError{fmt.Errorf("%s: %q is not %s", cmd.Name(), arg, what)}
	}
	return id, nil
}

// writeTo runs write on the file named out (created or truncated), or on
// the command's standard output when out is empty.
func writeTo(cmd *cobra.Command, out string, write func(io.Writer) error) error {
	if out == "" {
		return write(cmd.OutOrStdout())
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// table writes rows aligned in columns under head.
func table(w io.Writer, head []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c)
		}
		fmt.Fprintln(tw)
	}
	line(head)
	for _, r := range rows {
		line(r)
	}
	return tw.Flush()
}

// contextLang is a read command's context, acting as its user, with the
// language it answers in.
type contextLang struct {
	context.Context
	lang string
}

// t is the text for key in the command's language.
func (c contextLang) t(key string, args ...any) string { return i18n.T(c.lang, key, args...) }
