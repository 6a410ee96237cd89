package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// BuildInfo is the version, the source commit (with "+dirty" when built from
// a modified tree, "unknown" when the build carries none) and the Go release.
func BuildInfo() (version, commit, goVersion string) {
	version, commit, goVersion = Version, Commit, runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		if version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		dirty := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if commit == "" {
					commit = s.Value
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if dirty && commit != "" {
			commit += "+dirty"
		}
	}
	if commit == "" {
		commit = "unknown"
	}
	return version, commit, goVersion
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the commit",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			v, c, g := BuildInfo()
			fmt.Fprintf(cmd.OutOrStdout(), "concord %s commit %s %s\n", v, c, g)
		},
	}
}

func configCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration, secrets masked",
		Long: `Print the effective configuration, one "key = value" line each (the
format of a --config file), with secrets such as a database password masked.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), cfg.Print())
			return nil
		},
	}
	settings(c.Flags())
	return c
}
