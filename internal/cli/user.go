package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/app"
)

// The user commands are the operator's, run on the server: they act as
// "system", and each change is on the audit trail. Day-to-day account work
// belongs to the security administrator in the web UI.

func userCmd() *cobra.Command {
	c := group("user", "Create users, set their passwords and roles, disable them",
		userCreateCmd(), userPasswdCmd(), userRolesCmd(), userDisableCmd(true), userDisableCmd(false))
	c.Long = `Create users, set their passwords and roles, disable and re-enable them.
These commands act as "system" and are recorded on the audit trail.

Roles: ` + roleList() + `.
The three administrator roles (三员分立) are each held alone.`
	settings(c.PersistentFlags())
	return c
}

// passwordFlags adds --password and --password-stdin to c and returns a
// function that reads the password they ask for, or prompts on a terminal.
func passwordFlags(c *cobra.Command) func(cmd *cobra.Command) (string, error) {
	pw := c.Flags().String("password", "", "the password (visible to other local users: prefer --password-stdin or the prompt)")
	fromStdin := c.Flags().Bool("password-stdin", false, "read the password from the first line of standard input")
	c.MarkFlagsMutuallyExclusive("password", "password-stdin")
	return func(cmd *cobra.Command) (string, error) {
		switch {
		case cmd.Flags().Changed("password"):
			return *pw, nil
		case *fromStdin:
			line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
			if err != nil && !(errors.Is(err, io.EOF) && line != "") {
				return "", fmt.Errorf("read the password from standard input: %w", err)
			}
			return strings.TrimRight(line, "\r\n"), nil
		}
		return prompt(cmd)
	}
}

// prompt asks for a password twice on the terminal, without echo.
func prompt(cmd *cobra.Command) (string, error) {
	f, ok := cmd.InOrStdin().(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageError{errors.New("no password given: use --password-stdin (or --password), or run on a terminal to be asked")}
	}
	ask := func(label string) (string, error) {
		fmt.Fprint(cmd.ErrOrStderr(), label)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(cmd.ErrOrStderr())
		return string(b), err
	}
	pw, err := ask("Password (10–128 characters, letters and digits): ")
	if err != nil {
		return "", err
	}
	again, err := ask("Password again: ")
	if err != nil {
		return "", err
	}
	if pw != again {
		return "", errors.New("the two passwords differ")
	}
	return pw, nil
}

func parseRoles(args []string) []access.Role {
	var rs []access.Role
	for _, a := range args {
		for _, r := range strings.Split(a, ",") {
			if r = strings.TrimSpace(r); r != "" {
				rs = append(rs, access.Role(r))
			}
		}
	}
	return rs
}

func rolesText(rs []access.Role) string {
	if len(rs) == 0 {
		return "none"
	}
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func userCreateCmd() *cobra.Command {
	var in accounts.UserInput
	var unit string
	var roles []string
	c := &cobra.Command{
		Use:   "create --login LOGIN --unit CODE --role ROLE [--role ROLE…]",
		Short: "Create a user",
		Args:  cobra.NoArgs,
	}
	f := c.Flags()
	f.StringVar(&in.Login, "login", "", "sign-in name: lower-case letters, digits, '.', '_' or '-' (required)")
	f.StringVar(&in.Name, "name", "", "full name (default: the login)")
	f.StringVar(&unit, "unit", "", "code of the unit the user belongs to (required)")
	f.StringSliceVar(&roles, "role", nil, "a role; repeat the flag or separate with commas")
	f.StringVar(&in.Email, "email", "", "email address")
	f.StringVar(&in.Language, "language", "", "UI language: zh-Hans, zh-Hant or en (default: the browser's)")
	c.MarkFlagRequired("login")
	c.MarkFlagRequired("unit")
	password := passwordFlags(c)
	c.RunE = withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
		u, err := a.Alliance.UnitByCode(cmd.Context(), unit)
		if err != nil {
			return fmt.Errorf("unit %q: %w", unit, err)
		}
		if in.Name == "" {
			in.Name = in.Login
		}
		in.UnitID, in.Roles = u.ID, parseRoles(roles)
		if in.Password, err = password(cmd); err != nil {
			return err
		}
		created, err := a.Accounts.AdminCreateUser(cmd.Context(), in)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "created user %s (id %d) in unit %s with roles: %s\n",
			created.Login, created.ID, u.Code, rolesText(created.Roles))
		return nil
	})
	return c
}

func userPasswdCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "passwd LOGIN",
		Short: "Set a user's password; this also unlocks the account and ends its sessions",
		Args:  cobra.ExactArgs(1),
	}
	password := passwordFlags(c)
	c.RunE = withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
		if _, err := a.Accounts.UserByLogin(cmd.Context(), args[0]); err != nil {
			return fmt.Errorf("user %q: %w", args[0], err)
		}
		pw, err := password(cmd)
		if err != nil {
			return err
		}
		u, err := a.Accounts.AdminSetPassword(cmd.Context(), args[0], pw)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "password of %s set; the account is unlocked and its sessions ended\n", u.Login)
		return nil
	})
	return c
}

func userRolesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "roles LOGIN ROLE...",
		Short: "Replace a user's roles",
		Args:  cobra.MinimumNArgs(2),
		RunE: withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			u, err := a.Accounts.AdminSetRoles(cmd.Context(), args[0], parseRoles(args[1:]))
			if err != nil {
				return fmt.Errorf("user %q: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "roles of %s: %s\n", u.Login, rolesText(u.Roles))
			return nil
		}),
	}
}

func userDisableCmd(disable bool) *cobra.Command {
	use, short, done := "disable LOGIN", "Disable a user: they can no longer sign in, and their sessions end", "disabled"
	if !disable {
		use, short, done = "enable LOGIN", "Re-enable a disabled user", "enabled"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			u, err := a.Accounts.AdminSetDisabled(cmd.Context(), args[0], disable)
			if err != nil {
				return fmt.Errorf("user %q: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "user %s %s\n", u.Login, done)
			return nil
		}),
	}
}

func unitCmd() *cobra.Command {
	var in alliance.UnitInput
	var kind, parent string
	create := &cobra.Command{
		Use:   "create --code CODE --name NAME --kind KIND [--parent CODE]",
		Short: "Create a unit (a first one is needed before the first user)",
		Args:  cobra.NoArgs,
		RunE: withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			in.Kind = alliance.UnitKind(kind)
			if parent != "" {
				p, err := a.Alliance.UnitByCode(cmd.Context(), parent)
				if err != nil {
					return fmt.Errorf("parent %q: %w", parent, err)
				}
				in.ParentID = &p.ID
			}
			u, err := a.Alliance.BootstrapUnit(cmd.Context(), in)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created unit %s (id %d): %s\n", u.Code, u.ID, u.Name.ZhHans)
			return nil
		}),
	}
	f := create.Flags()
	f.StringVar(&in.Code, "code", "", "short code, such as dalian (required)")
	f.StringVar(&in.Name.ZhHans, "name", "", "name in Simplified Chinese (required)")
	f.StringVar(&in.Name.ZhHant, "name-hant", "", "name in Traditional Chinese (default: --name)")
	f.StringVar(&in.Name.En, "name-en", "", "name in English (default: --name)")
	f.StringVar(&kind, "kind", string(alliance.Office), "city, department, office or other")
	f.StringVar(&parent, "parent", "", "code of the parent unit")
	create.MarkFlagRequired("code")
	create.MarkFlagRequired("name")
	c := group("unit", "Create units from the command line, to set up a deployment", create)
	settings(c.PersistentFlags())
	return c
}

func allianceCmd() *cobra.Command {
	var name alliance.Names
	initCmd := &cobra.Command{
		Use:   "init --name NAME",
		Short: "Name the alliance, once, and give it the six default coordination areas, to set up a deployment",
		Args:  cobra.NoArgs,
		RunE: withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			if cur, err := a.Alliance.Get(cmd.Context()); err == nil {
				return fmt.Errorf("the alliance is already named %s: rename it in the web UI", cur.Name.ZhHans)
			}
			if err := a.Alliance.BootstrapInit(cmd.Context(), name); err != nil {
				return err
			}
			// Goals need an area: start from the source mechanism's six, which
			// the system administrator may rename, retire or add to.
			areas, err := a.Alliance.Areas(cmd.Context())
			if err != nil {
				return err
			}
			if len(areas) == 0 {
				for _, in := range alliance.DefaultAreas {
					if _, err := a.Alliance.BootstrapArea(cmd.Context(), in); err != nil {
						return err
					}
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "alliance named %s, with %d coordination areas\n", name.ZhHans, max(len(areas), len(alliance.DefaultAreas)))
			return nil
		}),
	}
	f := initCmd.Flags()
	f.StringVar(&name.ZhHans, "name", "", "name in Simplified Chinese (required)")
	f.StringVar(&name.ZhHant, "name-hant", "", "name in Traditional Chinese (default: --name)")
	f.StringVar(&name.En, "name-en", "", "name in English (default: --name)")
	initCmd.MarkFlagRequired("name")
	c := group("alliance", "Name the alliance from the command line, to set up a deployment", initCmd)
	settings(c.PersistentFlags())
	return c
}
