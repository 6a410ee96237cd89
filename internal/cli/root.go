// Package cli is the `concord` command: serve, demo, migrate, user, backup,
// version and config. Settings come from config (flags, CONCORD_*
// environment variables and an optional file); errors go to stderr with a
// non-zero exit status.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"concord/internal/app"
	"concord/internal/config"
	"concord/internal/db"
)

// Version is Concord's release, set at build time with
// -ldflags "-X concord/internal/cli.Version=1.2.3".
var Version = "dev"

// Commit is the source revision, set at build time with
// -ldflags "-X concord/internal/cli.Commit=…" when the build carries no
// version-control stamp of its own.
var Commit = ""

// Execute runs the command line and exits: status 0 on success, 2 for a
// usage mistake, 1 for any other failure. SIGINT and SIGTERM end a running
// server gracefully; a second signal ends the process at once.
func Execute() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // the next signal takes the default action
	}()
	err := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.As(err, new(usageError)):
		os.Exit(2)
	default:
		os.Exit(1)
	}
}

// Run runs the command line args with the given streams, printing any error
// to stderr, and returns that error.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	root := NewRoot()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "concord: %s\n", describe(err))
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
	}
	return err
}

// usageError is a mistake in the command line itself.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// NewRoot builds the command tree.
func NewRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "concord",
		Short: "Concord coordinates and supervises an alliance of cities",
		Long: `Concord coordinates and supervises an alliance of cities: plans and tasks,
progress reports, supervision, joint meetings and shared indicators.

Settings come from flags, CONCORD_* environment variables (CONCORD_DB,
CONCORD_ADDR, …) and an optional settings file (--config or CONCORD_CONFIG),
flags winning. "concord config" prints the effective settings.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		serveCmd(), demoCmd(), migrateCmd(), userCmd(), unitCmd(), allianceCmd(),
		backupCmd(), versionCmd(), configCmd(), generateCmd(), importCmd(), exportCmd(),
		waterCmd(), bulletinCmd(), meetingCmd(), inspectionCmd(), problemCmd(), committeeCmd(), agreementCmd(), scorecardCmd(),
	)
	for _, c := range root.Commands() {
		wrapArgs(c)
	}
	return root
}

// wrapArgs marks wrong positional arguments as usage mistakes, throughout
// the tree.
func wrapArgs(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		wrapArgs(sub)
	}
}

// settings registers the configuration flags on fs.
func settings(fs *pflag.FlagSet) { config.Flags(fs) }

// loadConfig reads the effective configuration for cmd.
func loadConfig(cmd *cobra.Command) (config.Config, error) {
	cfg, err := config.Load(cmd.Flags())
	if err != nil {
		return cfg, usageError{err}
	}
	return cfg, nil
}

// openApp loads the configuration and opens the store and services.
func openApp(cmd *cobra.Command) (*app.App, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return nil, err
	}
	log, err := app.NewLogger(cfg)
	if err != nil {
		return nil, usageError{err}
	}
	return app.Open(cmd.Context(), cfg, log)
}

// openDB loads the configuration and opens the store without checking its
// schema.
func openDB(cmd *cobra.Command) (*db.DB, config.Config, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return nil, cfg, err
	}
	d, err := db.Open(cmd.Context(), cfg.DB)
	return d, cfg, err
}

// group is a command that only holds subcommands.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError{fmt.Errorf("%s needs a subcommand", cmd.CommandPath())}
		}}
	c.AddCommand(subs...)
	return c
}

// withApp makes a command body that runs on the opened application, which
// it closes afterwards.
func withApp(run func(cmd *cobra.Command, args []string, a *app.App) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a, err := openApp(cmd)
		if err != nil {
			return err
		}
		defer a.Close()
		return run(cmd, args, a)
	}
}
