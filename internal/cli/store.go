package cli

import (
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"concord/internal/config"
	"concord/internal/db"
)

func migrateCmd() *cobra.Command {
	up := &cobra.Command{
		Use:   "up",
		Short: "Apply every pending migration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return migration(cmd, func(d *db.DB, _ []db.MigrationStatus) error {
				if err := d.Migrate(cmd.Context()); err != nil {
					return fmt.Errorf("migrate: %w", err)
				}
				return nil
			}, func(before, after []db.MigrationStatus) string {
				return fmt.Sprintf("applied %d migration(s)", applied(after)-applied(before))
			})
		},
	}
	var to int64
	down := &cobra.Command{
		Use:   "down --to VERSION",
		Short: "Roll the schema back to VERSION (undoes an upgrade; take a backup first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return migration(cmd, func(d *db.DB, before []db.MigrationStatus) error {
				if to < 0 || to >= head(before) {
					return fmt.Errorf("migrate down: --to must be below the current version %d", head(before))
				}
				if err := d.MigrateDownTo(cmd.Context(), to); err != nil {
					return fmt.Errorf("migrate down: %w", err)
				}
				return nil
			}, func(before, after []db.MigrationStatus) string {
				return fmt.Sprintf("rolled back %d migration(s)", applied(before)-applied(after))
			})
		},
	}
	down.Flags().Int64Var(&to, "to", -1, "the version to roll back to (0: an empty schema)")
	down.MarkFlagRequired("to")
	status := &cobra.Command{
		Use:   "status",
		Short: "List the migrations and whether each is applied",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, _, err := openDB(cmd)
			if err != nil {
				return err
			}
			defer d.Close()
			st, err := d.Status(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tSTATE\tMIGRATION")
			for _, s := range st {
				state := "pending"
				if s.Applied {
					state = "applied"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Version, state, s.Source)
			}
			tw.Flush()
			if pending := len(st) - applied(st); pending > 0 {
				fmt.Fprintf(out, "%d migration(s) pending: run \"concord migrate up\"\n", pending)
			} else {
				fmt.Fprintf(out, "the %s schema is up to date at version %d\n", d.Engine, head(st))
			}
			return nil
		},
	}
	c := group("migrate", "Bring the database schema up to date, roll it back, or show its state", up, down, status)
	settings(c.PersistentFlags())
	return c
}

// migration opens the store, makes change to its schema and says what it
// did (done, from the migrations applied before and after) and where the
// schema now stands.
func migration(cmd *cobra.Command, change func(d *db.DB, before []db.MigrationStatus) error, done func(before, after []db.MigrationStatus) string) error {
	d, _, err := openDB(cmd)
	if err != nil {
		return err
	}
	defer d.Close()
	before, err := d.Status(cmd.Context())
	if err != nil {
		return err
	}
	if err := change(d, before); err != nil {
		return err
	}
	after, err := d.Status(cmd.Context())
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s; the %s schema is at version %d\n", done(before, after), d.Engine, head(after))
	return nil
}

func applied(st []db.MigrationStatus) int {
	n := 0
	for _, s := range st {
		if s.Applied {
			n++
		}
	}
	return n
}

// head is the highest applied version, 0 for none.
func head(st []db.MigrationStatus) int64 {
	var v int64
	for _, s := range st {
		if s.Applied && s.Version > v {
			v = s.Version
		}
	}
	return v
}

func backupCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "backup FILE",
		Short: "Write an online, consistent copy of a SQLite database to FILE",
		Long: `Write an online, consistent copy of the SQLite database to FILE, which must
not exist yet. Concord may keep serving meanwhile. To restore, stop Concord
and put the copy in the database's place.

For PostgreSQL use pg_dump (and pg_restore); this command only says so.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, cfg, err := openDB(cmd)
			if err != nil {
				return err
			}
			defer d.Close()
			file := args[0]
			if d.Engine == db.Postgres {
				return fmt.Errorf("backup writes SQLite copies only; for PostgreSQL use pg_dump, for example:\n"+
					"  pg_dump --format=custom --file=%s '%s'\n"+
					"and restore with pg_restore --clean --dbname=URL %s", file, config.MaskURL(cfg.DB), file)
			}
			if _, err := os.Stat(file); err == nil {
				return fmt.Errorf("%s already exists: give a new file name", file)
			} else if !errors.Is(err, os.ErrNotExist) {
				return err
			}
			if err := d.Backup(cmd.Context(), file); err != nil {
				return fmt.Errorf("backup to %s: %w", file, err)
			}
			fi, err := os.Stat(file)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backed up %s to %s (%d bytes)\n", d.Path(), file, fi.Size())
			return nil
		},
	}
	settings(c.Flags())
	return c
}
