package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"concord/internal/app"
	"concord/internal/config"
	"concord/internal/db"
	"concord/internal/demo"
)

func serveCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web UI and the JSON API",
		Long: `Serve the web UI and the JSON API on --addr until SIGINT or SIGTERM, then
shut down gracefully. The store's schema must be current: run
"concord migrate up" first, or start with --migrate.`,
		Args: cobra.NoArgs,
		RunE: withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			return a.Serve(cmd.Context(), Version)
		}),
	}
	settings(c.Flags())
	return c
}

func demoCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "demo",
		Short: "Serve a sample alliance (the Liaoning coastal belt) and print its sign-ins",
		Long: `Serve a sample alliance, the six coastal cities of Liaoning (辽宁沿海经济带),
with one sample sign-in for every role. Everything in it is sample data
(示例数据).

Without --db (or CONCORD_DB) the demo starts on a fresh SQLite file in a
temporary folder, removed when the demo stops. With --db it uses that store:
an empty one is migrated and seeded, and one that already holds the demo is
reused as it is; any other store is refused.

It prints one line per sign-in, "login: NAME password: PASSWORD role: ROLE
unit: UNIT", then "listening on http://HOST:PORT" once the address is bound.`,
		Args: cobra.NoArgs,
		RunE: runDemo,
	}
	settings(c.Flags())
	return c
}

func runDemo(cmd *cobra.Command, _ []string) error {
	ctx := cmd.Context()
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	log, err := app.NewLogger(cfg)
	if err != nil {
		return usageError{err}
	}
	_, env := os.LookupEnv("CONCORD_DB")
	if !cmd.Flags().Changed("db") && !env && cfg.DB == config.Default().DB {
		dir, err := os.MkdirTemp("", "concord-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.DB = filepath.Join(dir, "concord-demo.db")
	}
	cfg.Migrate = true

	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer d.Close()
	// Look before migrating, so that a store which is not the demo's is
	// left exactly as it was.
	st, err := d.Status(ctx)
	if err != nil {
		return err
	}
	state := demo.Empty
	if len(st) > 0 && st[0].Applied {
		if state, err = demo.Inspect(ctx, app.New(cfg, d, log).Alliance); err != nil {
			return err
		}
	}
	if state == demo.Foreign {
		return fmt.Errorf("%s holds data that is not the Concord demo: give the demo an empty database or one it made", config.MaskURL(cfg.DB))
	}
	if err := d.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	a := app.New(cfg, d, log)
	logins := demo.Logins()
	if state == demo.Empty {
		log.Info("seeding the demo", "db", config.MaskURL(cfg.DB))
		if logins, err = demo.Seed(ctx, a.Accounts, a.Alliance); err != nil {
			return fmt.Errorf("seed the demo: %w", err)
		}
	} else {
		log.Info("reusing the demo database", "db", config.MaskURL(cfg.DB))
	}

	ln, err := a.Listen()
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	for _, l := range logins {
		fmt.Fprintln(out, l)
	}
	fmt.Fprintf(out, "listening on http://%s\n", ln.Addr())
	return a.ServeListener(ctx, ln, Version)
}
